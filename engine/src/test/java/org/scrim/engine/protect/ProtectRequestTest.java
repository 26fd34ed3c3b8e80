package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProtectRequestTest {
    private static ProtectRequest withWorkSize(int workSize) {
        return ProtectRequest.builder(Mode.MASK, Preset.DEFAULT).decoy(Decoy.PATTERN).workSize(workSize).build();
    }

    /** The model's memory grows with the square of the working size: 100000 px grew to 20 GB before it died. */
    @Test
    void workSizeIsBoundedWithAClearMessage() {
        assertEquals(ProtectRequest.MAX_WORK_SIZE, withWorkSize(ProtectRequest.MAX_WORK_SIZE).workSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withWorkSize(100_000));
        assertTrue(e.getMessage().contains("at most " + ProtectRequest.MAX_WORK_SIZE) && e.getMessage().contains(
                "100000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> withWorkSize(63));
    }

    /** What a front end does not set is the preset's (bound, steps) or the engine's (decoy), never a zero. */
    @Test
    void unsetChoicesKeepThePresetsAndTheEnginesDefaults() {
        ProtectRequest plain = ProtectRequest.builder(Mode.MASK, Preset.HIGH).decoy("AUTO").build();
        assertNull(plain.decoy());
        assertEquals(Preset.HIGH.maxVisibility, plain.visibilityBound());
        assertEquals(Preset.HIGH.steps, plain.stepCount());
        assertEquals(ProtectRequest.DEFAULT_WORK_SIZE, plain.workSize());
        assertEquals(List.of(), plain.anchors());

        ProtectRequest chosen = ProtectRequest.builder(Mode.MASK, Strength.of(null, 0.05, null, 3)).decoy(" mosaic")
                .seed(9).build();
        assertEquals(Decoy.MOSAIC, chosen.decoy());
        assertEquals(0.05, chosen.visibilityBound());
        assertEquals(3, chosen.stepCount());
        assertEquals(9, chosen.seed());
        assertThrows(IllegalArgumentException.class,
                () -> ProtectRequest.builder(Mode.MASK, Preset.LOW).decoy("plaid"));
    }
}
