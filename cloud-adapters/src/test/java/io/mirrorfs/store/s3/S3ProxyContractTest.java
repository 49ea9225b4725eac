package io.mirrorfs.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.store.ObjectStore;
import io.mirrorfs.store.ObjectStoreContractTest;
import io.mirrorfs.store.ObjectStores;
import io.mirrorfs.store.StoreConfigException;
import io.mirrorfs.store.StoreOptions;
import org.junit.jupiter.api.Test;

/** The contract against a real S3 server (S3Proxy) on loopback, through the URI parser and a prefix. */
class S3ProxyContractTest extends ObjectStoreContractTest {

    private S3ProxyServer server;

    static StoreOptions options() {
        return StoreOptions.defaults()
                .with("s3.accessKeyId", S3ProxyServer.ACCESS_KEY)
                .with("s3.secretAccessKey", S3ProxyServer.SECRET_KEY)
                // Small parts so the multipart path runs with an 11 MiB object (S3's minimum part is 5 MiB).
                .with("multipartThresholdBytes", String.valueOf(6 << 20))
                .with("partSizeBytes", String.valueOf(5 << 20));
    }

    @Override
    protected ObjectStore openStore() throws Exception {
        server = S3ProxyServer.start(true, "contract");
        return ObjectStores.open("s3://contract/some/prefix?endpoint=" + server.endpoint(), options());
    }

    @Override
    protected void stopServers() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected String secretMarker() {
        return S3ProxyServer.SECRET_KEY;
    }

    @Test
    void missingBucketIsAClearConfigError() throws Exception {
        try (ObjectStore s = ObjectStores.open("s3://no-such-bucket?endpoint=" + server.endpoint(), options())) {
            assertThatThrownBy(s::checkAccess).isInstanceOf(StoreConfigException.class)
                    .hasMessageContaining("no-such-bucket").hasMessageContaining("does not exist")
                    .hasMessageNotContaining(S3ProxyServer.SECRET_KEY);
        }
    }

    @Test
    void wrongCredentialsAreAClearConfigError() throws Exception {
        StoreOptions wrong = options().with("s3.secretAccessKey", "wrong-secret-xyz");
        try (ObjectStore s = ObjectStores.open("s3://contract?endpoint=" + server.endpoint(), wrong)) {
            assertThatThrownBy(s::checkAccess).isInstanceOf(StoreConfigException.class)
                    .hasMessageContaining("access denied").hasMessageContaining("credentials")
                    .hasMessageNotContaining("wrong-secret-xyz");
            assertThatThrownBy(() -> s.get("x")).isInstanceOf(StoreConfigException.class);
        }
        assertThat(wrong.toString()).doesNotContain("wrong-secret-xyz");
    }

    @Test
    void unreachableEndpointIsRetryableNotConfig() throws Exception {
        int deadPort;
        try (var socket = new java.net.ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        try (ObjectStore s = ObjectStores.open("s3://contract?endpoint=http://127.0.0.1:" + deadPort, options())) {
            assertThatThrownBy(() -> s.get("x")).isInstanceOfSatisfying(io.mirrorfs.store.StoreException.class,
                    e -> assertThat(e.retryable()).isTrue());
        }
    }
}
