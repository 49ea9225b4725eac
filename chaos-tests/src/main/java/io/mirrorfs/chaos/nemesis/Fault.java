package io.mirrorfs.chaos.nemesis;

/**
 * One kind of failure. {@link #inject} starts it against targets chosen from the random source (so a
 * seed replays the same choices) and returns a description; {@link #heal} undoes exactly that, and
 * must be safe to call when nothing is injected.
 */
public interface Fault {
    String name();

    String inject(java.util.Random random) throws Exception;

    void heal() throws Exception;
}
