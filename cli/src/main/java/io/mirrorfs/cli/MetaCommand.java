package io.mirrorfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "meta", mixinStandardHelpOptions = true, description = "Run a metadata node.")
final class MetaCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("mirrorfs meta: not built yet");
        return 2;
    }
}
