package io.mirrorfs.cli;

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
            MountCommand.class,
            StatusCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class MirrorfsCli {

    public static void main(String[] args) {
        int code;
        try {
            code = new CommandLine(new MirrorfsCli()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
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
