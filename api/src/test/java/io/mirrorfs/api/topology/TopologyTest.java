package io.mirrorfs.api.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyTest {
    static final String GOOD = """
            volume: datasets
            regions:
              - name: aws-us-east-1
                role: primary
                store: s3://bucket/prefix?region=us-east-1
                meta: [n1=10.0.0.1:9860, n2=10.0.0.2:9860, n3=10.0.0.3:9860]
              - name: gcp-europe-west4
                role: mirror
                store: gs://bucket/prefix
                meta: [m1=10.1.0.1:9860]
                sync: 10.1.0.1:9870
            """;

    @Test
    void parsesTheDesignExample(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("topology.yaml");
        Files.writeString(file, GOOD);
        Topology t = Topology.load(file);
        assertThat(t.volume()).isEqualTo("datasets");
        assertThat(t.regions()).hasSize(2);
        Region primary = t.primary();
        assertThat(primary.name()).isEqualTo("aws-us-east-1");
        assertThat(primary.storeUri()).isEqualTo("s3://bucket/prefix?region=us-east-1");
        assertThat(primary.meta()).extracting(p -> p.id() + "@" + p.host() + ":" + p.raftPort())
                .containsExactly("n1@10.0.0.1:9860", "n2@10.0.0.2:9860", "n3@10.0.0.3:9860");
        assertThat(primary.sync()).isEmpty();
        Region mirror = t.mirrors().get(0);
        assertThat(mirror.role()).isEqualTo(Role.MIRROR);
        assertThat(mirror.sync()).contains(new HostPort("10.1.0.1", 9870));
        assertThat(t.region("gcp-europe-west4")).contains(mirror);
        assertThat(t.region("nowhere")).isEmpty();
    }

    @Test
    void toYamlRoundTrips() throws Exception {
        Topology original = Topology.parse(GOOD);
        assertThat(Topology.parse(original.toYaml())).isEqualTo(original);
        Topology ipv6 = Topology.parse("""
                volume: v1
                regions:
                  - {name: a, role: primary, store: "file:///tmp/a%20b", meta: ["n1=[::1]:9000"]}
                  - {name: b, role: mirror, store: "s3://bk/p?region=r&endpoint=http://[::1]:9", meta: ["m1=[::1]:9100"], sync: "[::1]:9200"}
                """);
        assertThat(Topology.parse(ipv6.toYaml())).isEqualTo(ipv6);
        assertThat(original.requireRegion("gcp-europe-west4").group().name()).isEqualTo("gcp-europe-west4");
        assertThatThrownBy(() -> original.requireRegion("nope")).hasMessageContaining("aws-us-east-1");
    }

    @Test
    void acceptsIpv6AndLocalStores() throws Exception {
        Topology t = Topology.parse("""
                volume: v1
                regions:
                  - {name: a, role: PRIMARY, store: "file:///var/lib/mirrorfs/a", meta: ["n1=[::1]:9000"]}
                  - {name: b, role: mirror, store: "file:///var/lib/mirrorfs/b", meta: ["m1=[::1]:9100"], sync: "[::1]:9200"}
                """);
        assertThat(t.primary().meta().get(0).host()).isEqualTo("::1");
        assertThat(t.mirrors().get(0).sync().orElseThrow().toString()).isEqualTo("[::1]:9200");
    }

    @Test
    void loadNamesTheFileInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, GOOD.replace("role: mirror", "role: primary"));
        assertThatThrownBy(() -> Topology.load(file)).isInstanceOf(TopologyException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("exactly one region must have role primary");
        assertThatThrownBy(() -> Topology.load(dir.resolve("missing.yaml"))).hasMessageContaining("missing.yaml")
                .hasMessageContaining("cannot read");
    }

    @Test
    void refusesUnknownKeys() {
        bad(GOOD.replace("sync: 10.1.0.1:9870", "sycn: 10.1.0.1:9870"), "region 'gcp-europe-west4'", "unknown field 'sycn'");
        bad("extra: 1\n" + GOOD, "unknown field 'extra'");
    }

    @Test
    void refusesMissingFields() {
        bad(GOOD.replace("    store: gs://bucket/prefix\n", ""), "region 'gcp-europe-west4'", "missing field 'store'");
        bad(GOOD.replace("volume: datasets\n", ""), "missing field 'volume'");
        bad(GOOD.replace("    sync: 10.1.0.1:9870\n", ""), "region 'gcp-europe-west4'", "field 'sync'", "needs its sync");
        bad(GOOD.replace("meta: [m1=10.1.0.1:9860]", "meta: []"), "region 'gcp-europe-west4'", "field 'meta'");
        bad("volume: x\nregions: []\n", "field 'regions'");
    }

    @Test
    void refusesTwoPrimariesOrNone() {
        bad(GOOD.replace("role: mirror", "role: primary"), "exactly one region must have role primary, found 2");
        bad(GOOD.replace("role: primary", "role: mirror").replace("meta: [n1", "sync: 10.0.0.9:1\n    meta: [n1"),
                "found none");
        bad(GOOD.replace("role: mirror", "role: follower"), "field 'role'", "'follower'");
    }

    @Test
    void refusesDuplicateNamesAndAddresses() {
        bad(GOOD.replace("gcp-europe-west4", "aws-us-east-1"), "region 'aws-us-east-1'", "two regions have this name");
        bad(GOOD.replace("n2=10.0.0.2", "n1=10.0.0.2"), "peer id 'n1' appears twice");
        bad(GOOD.replace("m1=10.1.0.1:9860", "m1=10.0.0.1:9861"), "region 'gcp-europe-west4'", "already used by aws-us-east-1.meta");
        bad(GOOD.replace("gs://bucket/prefix", "s3://bucket/prefix?region=us-east-1"), "same store as region 'aws-us-east-1'");
    }

    @Test
    void refusesBadPeerSpecsAndAddresses() {
        bad(GOOD.replace("m1=10.1.0.1:9860", "10.1.0.1:9860"), "region 'gcp-europe-west4'", "field 'meta'", "ID=HOST:PORT");
        bad(GOOD.replace("m1=10.1.0.1:9860", "m1=10.1.0.1:port"), "field 'meta'");
        bad(GOOD.replace("m1=10.1.0.1:9860", "m1=10.1.0.1:70000"), "field 'meta'", "out of range");
        bad(GOOD.replace("sync: 10.1.0.1:9870", "sync: 10.1.0.1"), "field 'sync'", "HOST:PORT");
    }

    @Test
    void refusesBadStores() {
        bad(GOOD.replace("gs://bucket/prefix", "ftp://bucket/prefix"), "region 'gcp-europe-west4'", "field 'store'", "unknown scheme 'ftp'");
        bad(GOOD.replace("gs://bucket/prefix", "gs://user:secret@bucket/prefix"), "carries credentials");
        bad(GOOD.replace("gs://bucket/prefix", "bucket/prefix"), "unknown scheme ''");
    }

    @Test
    void refusesMalformedYamlAndBadNames() {
        bad("volume: [unclosed", "not valid YAML");
        bad("- just\n- a list\n", "expected a mapping");
        bad(GOOD.replace("volume: datasets", "volume: data/sets"), "field 'volume'");
        bad(GOOD.replace("volume: datasets", "volume: a\nvolume: b"), "not valid YAML");
        bad(GOOD.replace("name: gcp-europe-west4", "name: 'bad name'"), "field 'name'");
    }

    private static void bad(String yaml, String... fragments) {
        var thrown = assertThatThrownBy(() -> Topology.parse(yaml)).isInstanceOf(TopologyException.class)
                .hasMessageStartingWith("<topology>: ");
        for (String f : fragments) {
            thrown.hasMessageContaining(f);
        }
    }
}
