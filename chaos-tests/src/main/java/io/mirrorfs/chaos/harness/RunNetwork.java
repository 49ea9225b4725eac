package io.mirrorfs.chaos.harness;

import java.io.IOException;
import java.util.Random;

/**
 * A run's docker bridge network when several groups share it (a primary region, a mirror region and
 * its sync service): created once, each group's containers at fixed addresses in it, removed last.
 * {@link ContainerCluster#start} keeps creating its own network for single-group runs.
 *
 * @param subnetPrefix the first three octets, e.g. {@code 172.31.40}; hosts are {@code prefix.N}
 */
public record RunNetwork(String name, String subnetPrefix, String runLabel) {
    /** Subnets tried: 172.31.X.0/24, X from the seed, moving on if one is taken (another run's). */
    private static final int SUBNET_ATTEMPTS_MAX = 20;

    public static RunNetwork create(String runLabel, long seed) throws IOException, InterruptedException {
        String name = "mirrorfs-chaos-" + runLabel;
        Random random = new Random(seed);
        IOException lastError = null;
        for (int attempt = 0; attempt < SUBNET_ATTEMPTS_MAX; attempt++) {
            String prefix = "172.31." + (16 + random.nextInt(224));
            try {
                Docker.docker("network", "create", "--driver", "bridge", "--subnet", prefix + ".0/24",
                        "--label", ContainerCluster.LABEL + "=" + runLabel, name);
                return new RunNetwork(name, prefix, runLabel);
            } catch (IOException taken) {
                lastError = taken; // overlapping subnet of another run: try another
            }
        }
        throw new IOException("could not create a docker network for " + runLabel, lastError);
    }

    public String host(int lastOctet) {
        if (lastOctet < 2 || lastOctet > 254) {
            throw new IllegalArgumentException("host octet out of 2..254: " + lastOctet);
        }
        return subnetPrefix + "." + lastOctet;
    }

    /** Removes the network; its containers must be gone first. */
    public void remove() throws IOException, InterruptedException {
        Docker.docker("network", "rm", name);
    }
}
