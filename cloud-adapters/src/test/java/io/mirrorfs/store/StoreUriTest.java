package io.mirrorfs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreUriTest {

    @Test
    void parsesEveryScheme() throws Exception {
        StoreUri s3 = StoreUri.parse("s3://bkt/vol/a?region=eu-west-1&endpoint=http://127.0.0.1:9000");
        assertThat(s3.bucket()).isEqualTo("bkt");
        assertThat(s3.prefix()).isEqualTo("vol/a/");
        assertThat(s3.query()).containsEntry("region", "eu-west-1").containsEntry("endpoint", "http://127.0.0.1:9000");
        StoreUri gs = StoreUri.parse("gs://bkt");
        assertThat(gs.prefix()).isEmpty();
        StoreUri az = StoreUri.parse("az://acct/cont/p");
        assertThat(az.bucket()).isEqualTo("acct/cont");
        assertThat(az.prefix()).isEqualTo("p/");
        assertThat(StoreUri.parse("file:///var/lib/x").bucket()).isEqualTo("/var/lib/x");
    }

    @Test
    void badUrisGiveClearErrors() {
        assertThatThrownBy(() -> StoreUri.parse("ftp://x/y")).isInstanceOf(StoreConfigException.class)
                .hasMessageContaining("unknown scheme 'ftp'").hasMessageContaining("s3://");
        assertThatThrownBy(() -> StoreUri.parse("s3:///prefix")).isInstanceOf(StoreConfigException.class)
                .hasMessageContaining("no bucket");
        assertThatThrownBy(() -> StoreUri.parse("az://acct")).isInstanceOf(StoreConfigException.class)
                .hasMessageContaining("no container");
        assertThatThrownBy(() -> StoreUri.parse("file://host/x")).isInstanceOf(StoreConfigException.class);
        assertThatThrownBy(() -> StoreUri.parse("s3://b ad")).isInstanceOf(StoreConfigException.class)
                .hasMessageContaining("malformed");
        assertThatThrownBy(() -> StoreUri.parse("")).isInstanceOf(StoreConfigException.class);
        assertThatThrownBy(() -> StoreUri.parse("s3://b?color=red")).isInstanceOf(StoreConfigException.class)
                .hasMessageContaining("unknown parameter 'color'");
    }

    @Test
    void secretsInTheUriAreRefusedAndNotEchoed() {
        assertThatThrownBy(() -> StoreUri.parse("s3://AKIA:topsecret@bkt/p")).isInstanceOf(StoreConfigException.class)
                .hasMessageContaining("carries credentials").hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> StoreUri.parse("s3://bkt/p?secret=topsecret")).isInstanceOf(StoreConfigException.class)
                .hasMessageNotContaining("topsecret");
        StoreOptions opts = StoreOptions.defaults().with("s3.secretAccessKey", "topsecret").with("azure.accountKey", "k2");
        assertThat(opts.toString()).doesNotContain("topsecret").doesNotContain("k2");
    }

    @Test
    void missingCredentialPairAndBadOptionsAreConfigErrors() {
        assertThatThrownBy(() -> ObjectStores.open("s3://b?endpoint=http://127.0.0.1:1",
                StoreOptions.defaults().with("s3.accessKeyId", "only-id"))).isInstanceOf(StoreConfigException.class)
                .hasMessageContaining("s3.secretAccessKey");
        assertThatThrownBy(() -> ObjectStores.open("s3://b?endpoint=http://127.0.0.1:1",
                StoreOptions.defaults().with("s3.accessKeyId", "a").with("s3.secretAccessKey", "b")
                        .with("partSizeBytes", "12"))).isInstanceOf(StoreConfigException.class)
                .hasMessageContaining("partSizeBytes");
    }

    @Test
    void azureWithoutExplicitCredentialsFallsBackToTheDefaultChainLazily() throws Exception {
        // No request is made here: the chain (which may probe a metadata endpoint) runs only on first
        // use, and tests must not reach addresses beyond loopback.
        try (var store = ObjectStores.open("az://acct/c", StoreOptions.defaults())) {
            assertThat(store.uri()).isEqualTo("az://acct/c");
        }
    }

    @Test
    void fileUriOpensALocalStoreAndAPrefix(@TempDir Path dir) throws Exception {
        try (ObjectStore s = ObjectStores.openChecked(dir.toUri().toString(), StoreOptions.defaults())) {
            s.put("x", new byte[] {1});
            assertThat(s.uri()).startsWith("file:///");
        }
    }
}
