package io.mirrorfs.store.gcs;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStoreContractTest;
import io.mirrorfs.store.StoreLimits;

/**
 * The contract against Google's in-memory fake ({@code LocalStorageHelper}). What it cannot prove is
 * listed in cloud-adapters/README.md: preconditions, server-side checksums, real resumable uploads,
 * error codes of the real service, and thread safety (the fake is not thread-safe, so writes here run
 * on one thread).
 */
class GcsLocalStorageContractTest extends ObjectStoreContractTest {

    @Override
    protected ObjectStore openStore() {
        Storage storage = LocalStorageHelper.getOptions().getService();
        // Small chunks (multiples of 256 KiB) so the resumable-upload path runs with a ~3 MiB object.
        return new io.mirrorfs.store.wrap.PrefixStore(
                new GcsStore(storage, "contract", new StoreLimits(2L << 20, 1L << 20, 5L << 40, 1000), false), "p/");
    }

    @Override
    protected boolean emulatorSupportsBucketCalls() {
        return false;
    }

    @Override
    protected int writerThreads() {
        return 1;
    }
}
