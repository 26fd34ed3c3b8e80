package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one rule from a front end's choices to a request's preset, bound and steps. */
class StrengthTest {
    /** A bound between the presets takes the nearest preset's steps: 0.14 alone is high, whoever asks. */
    @Test
    void aBoundTakesTheNearestPresetsCapAndSteps() {
        Strength high = Strength.of(null, 0.14, null, null);
        assertEquals(Preset.HIGH, high.preset());
        assertNull(high.maxVisibility(), "a preset's own bound is the preset");
        assertEquals(Preset.HIGH.steps, high.steps());
        Strength between = Strength.of(null, 0.12, null, null);
        assertEquals(Preset.HIGH, between.preset());
        assertEquals(0.12, between.visibilityBound());
        assertEquals(Preset.HIGH.steps, between.steps());
        assertEquals(Strength.of(Preset.LOW), Strength.of(null, Preset.LOW.maxVisibility + 1e-9, null, null));
        assertEquals(Strength.of(Preset.DEFAULT), Strength.of(null, null, null, null));
    }

    @Test
    void aPresetAndABoundThatDisagreeAreRefused() {
        assertEquals(Strength.of(null, 0.1, null, null), Strength.of(Preset.DEFAULT, 0.1, null, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Strength.of(Preset.DEFAULT, 0.14, null, null));
        assertTrue(e.getMessage().contains("high"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Strength.of(null, 1.5, null, null));
        assertThrows(IllegalArgumentException.class, () -> Strength.of(null, null, null, 0));
    }

    /** What the editors read from {@code scrim info} names the preset {@link Preset#nearest} picks. */
    @Test
    void theLargestBoundTakingEachPresetFollowsTheNearestRule() {
        for (int i = 1; i <= 1000; i++) {
            double bound = i / 1000.0;
            Preset taken = Preset.nearest(bound);
            for (Preset p : Preset.values()) {
                boolean below = bound <= Strength.largestBoundTaking(p) + 1e-12;
                assertEquals(p.ordinal() >= taken.ordinal(), below, bound + " against " + p);
            }
        }
    }

    /** More effort is more steps at the same bound; named steps win over the effort's. */
    @Test
    void effortScalesTheStepsAtTheSameBound() {
        for (Preset p : Preset.values()) {
            Strength fast = Strength.of(p, null, Effort.FAST, null);
            Strength usual = Strength.of(p, null, Effort.DEFAULT, null);
            Strength max = Strength.of(p, null, Effort.MAX, null);
            assertEquals(p.steps, usual.steps());
            assertTrue(fast.steps() < usual.steps() && usual.steps() < max.steps(), p.toString());
            assertEquals(usual.visibilityBound(), max.visibilityBound());
            assertEquals(max.steps() / (double) p.steps, max.timeAgainstDefault());
        }
        assertEquals(5, Strength.of(Preset.HIGH, null, Effort.MAX, 5).steps());
        assertTrue(Strength.of(Preset.HIGH, null, Effort.MAX, null).inWords().contains("effort max, about 2.0x"));
        assertTrue(Strength.of(Preset.HIGH, null, Effort.MAX, 3).inWords().contains("steps named"));
        assertFalse(Strength.of(Preset.HIGH).inWords().contains("time"), "the default's time is not compared");
        assertEquals(Effort.MAX, Effort.parse(" MAX"));
        assertThrows(IllegalArgumentException.class, () -> Effort.parse("extreme"));
    }
}
