package io.mirrorfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.")
final class BenchCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("mirrorfs bench: not built yet");
        return 2;
    }
}
