package io.mirrorfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "mount", mixinStandardHelpOptions = true, description = "Mount a volume with FUSE.")
final class MountCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("mirrorfs mount: not built yet");
        return 2;
    }
}
