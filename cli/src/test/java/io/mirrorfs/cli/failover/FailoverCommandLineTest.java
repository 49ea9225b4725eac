package io.mirrorfs.cli.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.cli.MirrorfsCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The failover and drill commands are wired into `mirrorfs` and refuse bad arguments before doing anything. */
class FailoverCommandLineTest {

    private static int run(StringWriter err, String... args) {
        CommandLine cli = new CommandLine(new MirrorfsCli());
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void subcommandsParse() {
        CommandLine cli = new CommandLine(new MirrorfsCli());
        assertEquals(3, cli.parseArgs("failover", "promote", "--data", "d", "--region", "mirror", "--force")
                .subcommand().subcommand().matchedOptions().size());
        cli.parseArgs("failover", "switchover", "--topology", "t.yaml", "--to", "mirror");
        cli.parseArgs("failover", "rejoin", "--data", "d", "--region", "primary");
        cli.parseArgs("drill", "--scenario", "kill-primary", "--data", "d", "--report", "r.json");
    }

    @Test
    void topologyAndDataTogetherAreRefused() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "failover", "promote", "--data", "d", "--topology", "t", "--region", "m"));
        assertTrue(err.toString().contains("mutually exclusive"), err.toString());
    }

    @Test
    void drillAgainstATopologyNeedsAFaultCommand() {
        StringWriter err = new StringWriter();
        assertNotEquals(0, run(err, "drill", "--scenario", "kill-primary", "--topology", "/nonexistent.yaml"));
        assertTrue(err.toString().contains("--fault-command"), err.toString());
        StringWriter err2 = new StringWriter();
        assertNotEquals(0, run(err2, "drill", "--scenario", "explode", "--data", "/nonexistent"));
        assertTrue(err2.toString().contains("unknown scenario 'explode'"), err2.toString());
    }
}
