package io.mirrorfs.chaos.harness;

import java.io.IOException;

/**
 * The image every node runs: built on this machine from an empty tar (no registry is reachable). The
 * node gets its userland and JDK by bind-mounting the host's /usr, /lib, /lib64, /bin and /etc
 * read-only; see {@link NodeContainer}.
 */
public final class LocalImage {
    public static final String NAME = "mirrorfs-chaos-base:1";
    /** A tar archive with no members is two zero blocks, padded to tar's 10 KiB record. */
    private static final int EMPTY_TAR_BYTES = 10_240;

    private LocalImage() {}

    public static synchronized String ensureBuilt() throws IOException, InterruptedException {
        try {
            Docker.docker("image", "inspect", "--format", "{{.Id}}", NAME);
        } catch (IOException missing) {
            Docker.dockerWithInput(new byte[EMPTY_TAR_BYTES], "import", "-", NAME);
        }
        return NAME;
    }
}
