package io.mirrorfs.cli.failover.drill;

/** Real signals to the child processes of a {@link LocalDeployment}. */
public final class LocalFaults implements Faults {
    private final LocalDeployment deployment;

    public LocalFaults(LocalDeployment deployment) {
        this.deployment = deployment;
    }

    @Override
    public void inject(Scenario scenario, String primaryRegion) throws Exception {
        for (ChildProcess p : deployment.processesOf(primaryRegion)) {
            switch (scenario) {
                case KILL_PRIMARY -> p.kill9();
                case PARTITION_PRIMARY -> p.pause();
                case SWITCHOVER -> throw new IllegalArgumentException("a switchover injects no fault");
            }
        }
    }

    @Override
    public boolean canHeal() {
        return true;
    }

    @Override
    public void heal(Scenario scenario, String primaryRegion) throws Exception {
        for (ChildProcess p : deployment.processesOf(primaryRegion)) {
            if (scenario == Scenario.KILL_PRIMARY) {
                p.restart();
            } else {
                p.resume();
            }
        }
    }

    @Override
    public void becameMirror(String region, String primaryStoreUri) throws Exception {
        deployment.ensureSync(region, primaryStoreUri);
    }

    @Override
    public boolean canHoldMirror() {
        return true;
    }

    /**
     * kill -9 of the mirror's metadata nodes, restarted on release. Not SIGSTOP: a stopped process
     * still has its sockets, and the kernel buffers the changelog stream for it, so the "held" entries
     * would arrive after SIGCONT and nothing would be lost. The sync service keeps running.
     */
    @Override
    public void holdMirror(String mirrorRegion, boolean hold) throws Exception {
        for (ChildProcess p : deployment.processesOf(mirrorRegion)) {
            if (p.name().endsWith("-sync")) {
                continue;
            }
            if (hold) {
                p.kill9();
            } else {
                p.restart();
            }
        }
    }
}
