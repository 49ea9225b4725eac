package io.mirrorfs.meta.engine.store;

/** One row as read from a column family. */
public record KeyValue(byte[] key, byte[] value) {}
