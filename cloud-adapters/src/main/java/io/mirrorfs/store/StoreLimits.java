package io.mirrorfs.store;

/**
 * What a backend declares about itself.
 *
 * @param multipartThresholdBytes puts at or above this size use multipart upload (Long.MAX_VALUE = never)
 * @param partSizeBytes size of each part of a multipart upload
 * @param objectSizeBytesMax largest object the backend accepts
 * @param listPageMax most keys one list call returns
 */
public record StoreLimits(long multipartThresholdBytes, long partSizeBytes, long objectSizeBytesMax, int listPageMax) {}
