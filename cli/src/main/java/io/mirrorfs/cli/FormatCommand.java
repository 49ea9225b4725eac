package io.mirrorfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "format", mixinStandardHelpOptions = true, description = "Create a volume on a metadata group.")
final class FormatCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("mirrorfs format: not built yet");
        return 2;
    }
}
