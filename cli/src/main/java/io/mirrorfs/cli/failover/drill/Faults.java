package io.mirrorfs.cli.failover.drill;

/**
 * How a drill breaks and heals the primary region. {@link LocalFaults} signals the child processes
 * of a {@link LocalDeployment}; {@link CommandFaults} runs the operator's commands against a real
 * deployment.
 */
public interface Faults {
    /** Breaks the primary region as the scenario says (kill-primary or partition-primary). */
    void inject(Scenario scenario, String primaryRegion) throws Exception;

    /** Whether {@link #heal} can bring the old primary back (then the drill also rejoins it). */
    boolean canHeal();

    /** Restarts (kill) or resumes (partition) the old primary region. */
    void heal(Scenario scenario, String primaryRegion) throws Exception;

    /**
     * Holds back (or releases) the mirror region's replication, so the files written meanwhile are
     * acknowledged but certainly not replicated: the drill then proves its RPO accounting with a
     * known loss. Only where the drill controls the processes.
     */
    /**
     * Called when {@code region} has just become a mirror of the primary whose store is
     * {@code primaryStoreUri}: its block sync must run from now on. Against a real deployment the
     * operator's sync services are already running (nothing to do here).
     */
    default void becameMirror(String region, String primaryStoreUri) throws Exception {
    }

    default boolean canHoldMirror() {
        return false;
    }

    default void holdMirror(String mirrorRegion, boolean hold) throws Exception {
        throw new UnsupportedOperationException("holding the mirror back needs a local deployment");
    }
}
