package io.mirrorfs.client.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionTtlTest {
    @Test
    void acceptsWholeNumbersWithAUnitFromThreeSecondsToADay() {
        assertThat(SessionTtl.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SessionTtl.parse("3s")).isEqualTo(Duration.ofSeconds(3));
        assertThat(SessionTtl.parse("3000ms")).isEqualTo(Duration.ofSeconds(3));
        assertThat(SessionTtl.parse(" 2M ")).isEqualTo(Duration.ofMinutes(2));
        assertThat(SessionTtl.parse("24h")).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void refusesTooShortTooLongAndMalformedWithAClearMessage() {
        assertThatThrownBy(() -> SessionTtl.parse("2s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 3s");
        assertThatThrownBy(() -> SessionTtl.parse("2999ms")).hasMessageContaining("at least 3s");
        assertThatThrownBy(() -> SessionTtl.parse("0s")).hasMessageContaining("at least 3s");
        assertThatThrownBy(() -> SessionTtl.parse("25h")).hasMessageContaining("at most 24h");
        for (String bad : new String[] {"30", "30 s", "-5s", "1.5s", "s", "", "thirty seconds"}) {
            assertThatThrownBy(() -> SessionTtl.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("use a whole number with a unit");
        }
        assertThatThrownBy(() -> SessionTtl.parse(null)).hasMessageContaining("use a whole number with a unit");
    }
}
