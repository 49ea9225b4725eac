package io.mirrorfs.cli.failover.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Faults against a real deployment, by the operator's own commands ({@code --fault-command},
 * optionally {@code --heal-command}), run with {@code sh -c}. The drill passes what it knows in the
 * environment: MIRRORFS_DRILL_SCENARIO (kill-primary | partition-primary), MIRRORFS_PRIMARY_REGION,
 * MIRRORFS_TOPOLOGY. A command must finish within {@link #COMMAND_MAX} and exit 0.
 */
public final class CommandFaults implements Faults {
    static final Duration COMMAND_MAX = Duration.ofMinutes(5);

    private final String faultCommand;
    private final String healCommand;
    private final String topologyFile;

    public CommandFaults(String faultCommand, String healCommand, String topologyFile) {
        this.faultCommand = faultCommand;
        this.healCommand = healCommand;
        this.topologyFile = topologyFile;
    }

    @Override
    public void inject(Scenario scenario, String primaryRegion) throws IOException, InterruptedException {
        run("fault", faultCommand, scenario, primaryRegion);
    }

    @Override
    public boolean canHeal() {
        return healCommand != null && !healCommand.isBlank();
    }

    @Override
    public void heal(Scenario scenario, String primaryRegion) throws IOException, InterruptedException {
        run("heal", healCommand, scenario, primaryRegion);
    }

    private void run(String what, String command, Scenario scenario, String primaryRegion)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("MIRRORFS_DRILL_SCENARIO", scenario.cliName());
        env.put("MIRRORFS_PRIMARY_REGION", primaryRegion);
        env.put("MIRRORFS_TOPOLOGY", topologyFile);
        Process p = pb.start();
        byte[] out = p.getInputStream().readNBytes(64 << 10); // bounded: the command's output is for the error only
        if (!p.waitFor(COMMAND_MAX.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(what + " command did not finish within " + COMMAND_MAX.toMinutes() + " min: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " command exited with " + p.exitValue() + ": " + command + "\n"
                    + new String(out, StandardCharsets.UTF_8).trim());
        }
    }
}
