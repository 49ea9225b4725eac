package io.mirrorfs.chaos.check;

/** A checker's answer. UNKNOWN is honest: the search budget ran out before a proof either way. */
public enum Validity {
    VALID, INVALID, UNKNOWN;

    /** Combines answers of independent parts (keys, checkers): any INVALID wins, then UNKNOWN. */
    public Validity and(Validity other) {
        if (this == INVALID || other == INVALID) {
            return INVALID;
        }
        return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : VALID;
    }
}
