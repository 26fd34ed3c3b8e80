package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PresetTest {
    @Test
    void aContinuousStrengthTakesTheNearestPreset() {
        for (Preset p : Preset.values()) {
            assertEquals(p, Preset.nearest(p.maxVisibility));
        }
        assertEquals(Preset.LOW, Preset.nearest(0.01));
        assertEquals(Preset.LOW, Preset.nearest(0.07), "a tie goes to the weaker preset");
        assertEquals(Preset.DEFAULT, Preset.nearest(0.11));
        assertEquals(Preset.HIGH, Preset.nearest(0.12));
        assertEquals(Preset.HIGH, Preset.nearest(0.5));
    }
}
