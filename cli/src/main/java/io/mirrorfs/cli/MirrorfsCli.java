package io.mirrorfs.cli;

import io.mirrorfs.api.client.CommonPoolFloor;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mirrorfs} command. Each subcommand is its own class in this package. */
@Command(
        name = "mirrorfs",
        mixinStandardHelpOptions = true,
        version = "mirrorfs 0.1.0",
        description = "A multi-cloud mirrored POSIX filesystem.",
        subcommands = {
            UpCommand.class,
            FormatCommand.class,
            MetaCommand.class,
            SyncCommand.class,
            MountCommand.class,
            StatusCommand.class,
            BenchCommand.class,
            FailoverCommand.class,
            DrillCommand.class,
            CommandLine.HelpCommand.class
        })
public final class MirrorfsCli {

    /** Exit code of a command that failed at run time (bad input is picocli's 2). */
    static final int EXIT_FAILED = 1;

    /**
     * A command that fails says so in one line naming the cause (e.g. "no answer within 30000 ms from
     * metadata group ..."); the stack trace is for developers and shows with MIRRORFS_DEBUG=1.
     */
    private static int reportFailure(Exception failure, CommandLine command, CommandLine.ParseResult parsed) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.ExecutionException
                || cause instanceof java.util.concurrent.CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        command.getErr().println("mirrorfs " + command.getCommandName() + ": " + cause.getMessage());
        if (System.getenv("MIRRORFS_DEBUG") != null) {
            failure.printStackTrace(command.getErr());
        } else {
            command.getErr().println("(set MIRRORFS_DEBUG=1 for the stack trace)");
        }
        command.getErr().flush();
        return EXIT_FAILED;
    }

    public static void main(String[] args) {
        CommonPoolFloor.ensure();
        int code;
        try {
            code = new CommandLine(new MirrorfsCli())
                    .setCaseInsensitiveEnumValuesAllowed(true)
                    .setExecutionExceptionHandler(MirrorfsCli::reportFailure)
                    .execute(args);
        } catch (Throwable fatal) {
            // An Error (e.g. a broken classpath) escapes picocli; without this exit, Ratis's and gRPC's
            // non-daemon threads would keep a half-started process alive with nothing serving.
            System.err.println("mirrorfs: fatal: " + fatal);
            fatal.printStackTrace();
            code = 70;
        }
        System.exit(code);
    }
}
