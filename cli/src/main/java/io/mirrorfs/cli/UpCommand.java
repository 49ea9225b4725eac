package io.mirrorfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "up", mixinStandardHelpOptions = true, description = "Start an embedded primary region on local directories and mount it.")
final class UpCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("mirrorfs up: not built yet");
        return 2;
    }
}
