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

    @Test
    void aStrengthOnTheSsimulacraScaleMovesAlongTheButteraugliBounds() {
        for (Preset p : Preset.values()) {
            assertEquals(p.maxButteraugli, Preset.butteraugliFor(p.maxVisibility), 1e-12);
        }
        assertEquals(2.0, Preset.butteraugliFor(0.07), 1e-12, "half-way between low and default");
        assertEquals(0.75, Preset.butteraugliFor(0.025), 1e-12, "in proportion below low");
        assertEquals(5.5, Preset.butteraugliFor(0.19), 1e-12, "along high's slope above it");
    }
}
