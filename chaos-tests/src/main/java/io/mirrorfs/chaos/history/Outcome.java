package io.mirrorfs.chaos.history;

/** How an operation ended, as far as the client could tell (Jepsen's :ok / :fail / :info). */
public enum Outcome {
    /** Acknowledged: it took effect, and for a read the value is what it observed. */
    OK,
    /** Definitely did not take effect (the system refused it before applying it). */
    FAIL,
    /** Unknown: a timeout or lost connection. It may or may not have taken effect, at any time after its call. */
    INFO
}
