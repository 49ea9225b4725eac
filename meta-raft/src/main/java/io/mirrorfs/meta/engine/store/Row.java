package io.mirrorfs.meta.engine.store;

/** One write an operation asks for: a put, or a delete when {@code value} is null. */
public record Row(Cf cf, byte[] key, byte[] value) {
    public Row {
        assert cf != null && key != null;
    }

    public boolean isDelete() {
        return value == null;
    }
}
