package io.mirrorfs.store;

/** What a listing or a head returns about one object. */
public record ObjectInfo(String key, long sizeBytes, long lastModifiedMillis) {}
