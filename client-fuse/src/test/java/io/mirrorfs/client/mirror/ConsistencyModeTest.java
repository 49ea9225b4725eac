package io.mirrorfs.client.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConsistencyModeTest {

    @Test
    void parsesTheThreeModes() {
        assertEquals(ConsistencyMode.LINEARIZABLE, ConsistencyMode.parse("linearizable"));
        assertEquals(ConsistencyMode.SESSION, ConsistencyMode.parse(" Session "));
        assertEquals(new ConsistencyMode.Bounded(Duration.ofMillis(500)), ConsistencyMode.parse("bounded:500ms"));
        assertEquals(new ConsistencyMode.Bounded(Duration.ofSeconds(2)), ConsistencyMode.parse("bounded:2s"));
        assertEquals(new ConsistencyMode.Bounded(Duration.ofMinutes(3)), ConsistencyMode.parse("bounded:3m"));
        assertEquals(new ConsistencyMode.Bounded(Duration.ofHours(1)), ConsistencyMode.parse("bounded:1h"));
    }

    @Test
    void badModesSayWhatIsAccepted() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsistencyMode.parse("strong"))
                .getMessage().contains("expected linearizable, session or bounded:<duration>"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsistencyMode.parse("bounded"))
                .getMessage().contains("needs a duration"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsistencyMode.parse("bounded:"))
                .getMessage().contains("needs a duration"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsistencyMode.parse("bounded:5"))
                .getMessage().contains("unit"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsistencyMode.parse("bounded:-1s"))
                .getMessage().contains("unit"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsistencyMode.parse("bounded:0s"))
                .getMessage().contains("more than 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsistencyMode.parse("bounded:25h"))
                .getMessage().contains("at most 1 day"));
        assertThrows(IllegalArgumentException.class, () -> ConsistencyMode.parse(null));
    }
}
