package io.mirrorfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the state of a metadata group.")
final class StatusCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("mirrorfs status: not built yet");
        return 2;
    }
}
