package io.mirrorfs.meta.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.StatusRuntimeException;
import io.mirrorfs.api.MetadataUnavailableException;
import io.mirrorfs.api.client.MetaGroup;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.MetaPeer;
import io.mirrorfs.api.client.MetadataAdminClient;
import io.mirrorfs.api.client.MetadataClientOptions;
import io.mirrorfs.api.client.RaftMetadataClient;
import io.mirrorfs.api.net.ChannelSecurity;
import io.mirrorfs.api.net.TestPki;
import io.mirrorfs.api.net.TlsFiles;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.api.proto.NodeStatusReply;
import io.mirrorfs.meta.mirror.TreeDigest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on every channel of real in-process groups: Raft between three nodes and from clients,
 * the admin service, and a mirror following a TLS primary over ChangelogService. A client without a
 * certificate, or with one from another CA, gets nothing: it fails within its deadline.
 * Certificates are made with the openssl CLI for 127.0.0.1/localhost (TestPki).
 */
class TlsGroupTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration REFUSED_DEADLINE = Duration.ofSeconds(3);
    /** A refused call may end a little after its deadline (the last attempt's own timeout), never much later. */
    private static final Duration REFUSED_SLACK = Duration.ofSeconds(10);
    private static final String VOLUME = "vol";

    @TempDir
    static Path pkiDir;
    static ChannelSecurity nodeTls;
    static ChannelSecurity clientTls;
    static ChannelSecurity foreignTls;

    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void issueCertificates() throws Exception {
        TestPki pki = TestPki.create(pkiDir, "ca");
        nodeTls = ChannelSecurity.mutualTls(TlsFiles.fromDir(pki.issue("node", TestPki.LOOPBACK_SANS)));
        clientTls = ChannelSecurity.mutualTls(TlsFiles.fromDir(pki.issue("client", TestPki.LOOPBACK_SANS)));
        TestPki other = TestPki.create(pkiDir, "other-ca");
        foreignTls = ChannelSecurity.mutualTls(TlsFiles.fromDir(other.issue("intruder", TestPki.LOOPBACK_SANS)));
    }

    @AfterEach
    void closeEverything() throws Exception {
        Exception failure = null;
        for (AutoCloseable c : opened.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.add(resource);
        return resource;
    }

    private static MetaGroup group(String name, int nodes) throws Exception {
        List<String> peers = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            peers.add(name + i + "=127.0.0.1:" + TestPorts.freePortPair());
        }
        return MetaGroup.parse(name + "-" + System.nanoTime(), String.join(",", peers));
    }

    private List<MetaServer> startTls(MetaGroup group, MirrorSource mirrorOf) throws Exception {
        List<MetaServer> nodes = new ArrayList<>();
        for (MetaPeer peer : group.peers()) {
            MetaServerConfig config = new MetaServerConfig(peer.id(), group, dir.resolve(group.name()).resolve(peer.id()))
                    .withSecurity(nodeTls);
            nodes.add(open(MetaServer.start(mirrorOf == null ? config : config.withMirrorOf(mirrorOf))));
        }
        return nodes;
    }

    private RaftMetadataClient client(MetaGroup group, ChannelSecurity security, Duration deadline) {
        return open(RaftMetadataClient.connect(group, MetadataClientOptions.defaults().withDeadline(deadline), security));
    }

    @Test
    void aThreeNodeTlsGroupServesTlsClientsAndRefusesOthers() throws Exception {
        MetaGroup group = group("tls", 3);
        startTls(group, null);
        TestWriter writer = new TestWriter(client(group, clientTls, Duration.ofSeconds(30)));

        TestWriter.ok(writer.format(VOLUME));
        writer.dirWithFiles("over-tls", 5);
        RaftMetadataClient reader = client(group, clientTls, Duration.ofSeconds(30));
        MetaReply found = reader.query(MetaOps.lookup(MetaOps.ROOT, 1, "over-tls")).get(30, TimeUnit.SECONDS);
        assertThat(found.getErrno()).isZero();
        assertThat(found.getAttr().getInode()).isPositive();
        // Every node, followers included, answers the admin service over TLS and has applied the writes
        // (which reached the followers over the TLS Raft channels between the servers).
        long applied = TestWriter.mirrorState(reader).getChangelogLastIndex();
        for (MetaPeer peer : group.peers()) {
            try (MetadataAdminClient admin = new MetadataAdminClient(peer, Duration.ofSeconds(10), clientTls)) {
                Await.until(peer.id() + " to apply the writes over TLS", WAIT, () -> {
                    NodeStatusReply status = admin.nodeStatus();
                    return status.getVolume().equals(VOLUME) && status.getRegionState().getChangelogLastIndex() >= applied;
                });
            }
        }

        assertRefused(group, ChannelSecurity.plaintext(), "a plaintext client");
        assertRefused(group, foreignTls, "a client whose certificate another CA signed");
    }

    private void assertRefused(MetaGroup group, ChannelSecurity security, String who) {
        RaftMetadataClient raft = client(group, security, REFUSED_DEADLINE);
        long started = System.nanoTime();
        assertThatThrownBy(() -> raft.query(MetaOps.lookup(MetaOps.ROOT, 1, "over-tls")).get(60, TimeUnit.SECONDS))
                .as(who + " reading through Raft")
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(MetadataUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as(who + ": bounded by its deadline")
                .isLessThan(REFUSED_DEADLINE.plus(REFUSED_SLACK));
        try (MetadataAdminClient admin = new MetadataAdminClient(group.peers().get(0), REFUSED_DEADLINE, security)) {
            assertThatThrownBy(admin::nodeStatus).as(who + " asking the admin service")
                    .isInstanceOf(StatusRuntimeException.class)
                    .hasMessageStartingWith("UNAVAILABLE");
        }
    }

    @Test
    void aMirrorFollowsATlsPrimaryOverTheChangelog() throws Exception {
        MetaGroup primaryGroup = group("p", 1);
        startTls(primaryGroup, null);
        MetaGroup mirrorGroup = group("eu", 1);
        startTls(mirrorGroup, new MirrorSource("eu", VOLUME, primaryGroup));
        RaftMetadataClient primary = client(primaryGroup, clientTls, Duration.ofSeconds(30));
        RaftMetadataClient mirror = client(mirrorGroup, clientTls, Duration.ofSeconds(30));
        TestWriter writer = new TestWriter(primary);

        TestWriter.ok(writer.format(VOLUME));
        writer.dirWithFiles("a", 10);
        writer.dirWithFiles("b", 10);

        long last = TestWriter.mirrorState(primary).getChangelogLastIndex();
        Await.until("the mirror to apply primary index " + last + " over TLS", WAIT,
                () -> TestWriter.mirrorState(mirror).getPrimaryIndex() == last);
        assertThat(TestWriter.mirrorState(mirror).getRole()).isEqualTo("MIRROR");
        assertThat(TreeDigest.of(mirror, Duration.ofSeconds(30), 100_000))
                .isEqualTo(TreeDigest.of(primary, Duration.ofSeconds(30), 100_000));
    }
}
