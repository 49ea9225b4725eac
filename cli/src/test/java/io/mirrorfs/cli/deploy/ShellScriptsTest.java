package io.mirrorfs.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scripts cloud-init runs on the nodes (deployed verbatim) and deploy/local's script pass shellcheck. */
class ShellScriptsTest {

    private static final String INSTALL_HINT = "install shellcheck (Debian/Ubuntu: apt-get install -y shellcheck)";
    private static final long SHELLCHECK_SECONDS_MAX = 60;

    private record Outcome(int exitCode, String output) {}

    private static Outcome shellcheck(List<Path> scripts) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("shellcheck", "--format=gcc", "--severity=style"));
        scripts.forEach(s -> command.add(s.toString()));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run shellcheck (" + e.getMessage() + "): " + INSTALL_HINT, e);
        }
        // Read before waiting: a full pipe would block shellcheck.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(SHELLCHECK_SECONDS_MAX, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("shellcheck did not finish within " + SHELLCHECK_SECONDS_MAX + " s");
        }
        return new Outcome(process.exitValue(), output);
    }

    @Test
    void deployedScriptsPassShellcheck() throws Exception {
        List<Path> scripts = new ArrayList<>(DeployTree.shellScripts());
        assertThat(scripts).as("scripts under deploy/terraform")
                .anySatisfy(p -> assertThat(p.getFileName()).hasToString("mirrorfs-bootstrap.sh"));
        scripts.add(DeployTree.repoRoot().resolve("deploy/local/mirrorfs-local")); // no .sh: it is a command

        Outcome outcome = shellcheck(scripts);

        assertThat(outcome.exitCode()).as("shellcheck findings:\n%s", outcome.output()).isZero();
    }

    @Test
    void shellcheckRejectsABrokenScript(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.sh"), "#!/bin/bash\ndir=$1\nrm -rf $dir/*\n");

        Outcome outcome = shellcheck(List.of(broken));

        assertThat(outcome.exitCode()).isNotZero();
        assertThat(outcome.output()).contains("SC2086");
    }
}
