package io.mirrorfs.api.client;

import io.mirrorfs.api.net.ChannelSecurity;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.retry.RetryPolicy;

/**
 * Builds Ratis clients of a metadata group, secured as the deployment is (plaintext or mutual TLS).
 * Every Ratis client in mirrorfs is built here, so none can miss the TLS setting.
 */
public final class RaftClients {
    private RaftClients() {}

    public static RaftClient build(MetaGroup group, RaftProperties properties, RetryPolicy retry,
                                   ChannelSecurity security) {
        RaftClient.Builder builder = RaftClient.newBuilder()
                .setProperties(properties)
                .setRaftGroup(group.raftGroup())
                .setRetryPolicy(retry);
        if (security.isTls()) {
            builder.setParameters(security.ratisParameters());
        }
        return builder.build();
    }
}
