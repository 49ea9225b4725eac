package io.mirrorfs.cli.failover.drill;

/** The faults a drill can inject (DESIGN §5). */
public enum Scenario {
    /** kill -9 every process of the primary region; it restarts later and rejoins as a mirror. */
    KILL_PRIMARY("kill-primary"),
    /** SIGSTOP every process of the primary region (alive, silent); resumed later, it rejoins. */
    PARTITION_PRIMARY("partition-primary"),
    /** The planned path: fence, catch up, promote, old primary follows. RPO 0. */
    SWITCHOVER("switchover");

    private final String cliName;

    Scenario(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static Scenario parse(String text) {
        for (Scenario s : values()) {
            if (s.cliName.equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + text + "': kill-primary, partition-primary or switchover");
    }
}
