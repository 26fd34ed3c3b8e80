package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProtectRequestTest {
    private static ProtectRequest withWorkSize(int workSize) {
        return new ProtectRequest(Mode.MASK, Preset.DEFAULT, null, Decoy.PATTERN, null, List.of(), 1, workSize, null);
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
}
