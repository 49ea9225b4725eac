package io.mirrorfs.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mirrorfs.api.proto.MirrorState;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which store sync copies from: explicit override, the followed region's store (topology), the recorded one. */
class SourceSelectorTest {
    private static final RegionStores STORES = new RegionStores(Map.of("us", "s3://us/v", "eu", "gs://eu/v",
            "ap", "file:///ap"), "us");
    private static final String RECORDED = "s3://us/v";

    private static MirrorState following(String region) {
        return MirrorState.newBuilder().setRole("MIRROR").setPrimaryRegion(region).build();
    }

    @Test
    void withATopologyTheSourceIsTheStoreOfTheRegionFollowedNow() throws Exception {
        SourceSelector selector = new SourceSelector(Optional.empty(), Optional.of(STORES));
        assertThat(selector.choose(following(""), RECORDED).uri()).as("never re-pointed: the file's primary")
                .isEqualTo("s3://us/v");
        assertThat(selector.choose(following("eu"), RECORDED).uri()).as("after a failover to eu")
                .isEqualTo("gs://eu/v");
        assertThat(selector.followsThePrimary()).isTrue();
    }

    @Test
    void aFollowedRegionMissingFromTheTopologyIsNamedNotGuessed() {
        SourceSelector selector = new SourceSelector(Optional.empty(), Optional.of(STORES));
        assertThatThrownBy(() -> selector.choose(following("sa"), RECORDED))
                .isInstanceOf(SourceSelector.SourceUnknownException.class)
                .hasMessageContaining("region 'sa', which the topology file does not list");
    }

    @Test
    void anExplicitSourceWinsAndWithoutATopologyTheRecordedStoreIsUsed() throws Exception {
        assertThat(new SourceSelector(Optional.of("file:///x"), Optional.of(STORES)).choose(following("eu"), RECORDED)
                .uri()).isEqualTo("file:///x");
        SourceSelector recorded = new SourceSelector(Optional.empty(), Optional.empty());
        assertThat(recorded.choose(following("eu"), RECORDED).uri()).isEqualTo(RECORDED);
        assertThat(recorded.followsThePrimary()).isFalse();
        assertThatThrownBy(() -> recorded.choose(following(""), ""))
                .isInstanceOf(SourceSelector.SourceUnknownException.class).hasMessageContaining("--source-store");
    }

    @Test
    void regionStoresMustIncludeTheInitialPrimary() {
        assertThatThrownBy(() -> new RegionStores(Map.of("eu", "gs://eu/v"), "us"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'us'");
    }
}
