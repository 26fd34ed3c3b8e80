package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.scrim.engine.protect.Effort;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Strength;
import picocli.CommandLine;

/**
 * {@code scrim protect}'s strength options and the service's query make the request the engine's one rule makes
 * ({@link Strength#of}), which ImageJ and Krita go through too (ProtectImageTest, plugin-krita-bridge's
 * test_service): a strength means the same from every front end.
 */
class StrengthOptionsTest {
    private static ProtectRequest cli(String... options) throws IOException {
        ProtectCommand command = new ProtectCommand();
        String[] args = new String[options.length + 3];
        System.arraycopy(options, 0, args, 0, options.length);
        args[options.length] = "--decoy";
        args[options.length + 1] = "pattern";
        args[options.length + 2] = "art.png";
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command.request();
    }

    private static ProtectRequest engine(Preset preset, Double bound, Effort effort) {
        return ProtectRequest.builder(Mode.MASK, Strength.of(preset, bound, effort, null)).decoy("pattern").build();
    }

    /** Before, --max-visibility 0.14 kept the default's 16 steps where an editor's 0.14 was high's 30. */
    @Test
    void aBoundAloneTakesTheNearestPresetAsInTheEditors() throws Exception {
        ProtectRequest high = cli("--max-visibility", "0.14");
        assertEquals(Preset.HIGH, high.preset());
        assertEquals(Preset.HIGH.steps, high.stepCount());
        assertNull(high.maxVisibility(), "high's own bound is high");
        assertEquals(engine(null, 0.14, null), high);
        assertEquals(engine(null, 0.12, null), cli("--max-visibility", "0.12"));
        assertEquals(engine(Preset.LOW, null, Effort.MAX), cli("--preset", "low", "--effort", "max"));
        assertEquals(engine(null, null, null), cli());
        for (String query : new String[] {"max-visibility=0.12&effort=fast", "preset=high", "max-visibility=0.09"}) {
            ProtectRequest served = LocalService.ProtectQuery.parse(query + "&decoy=pattern", ImagesFolder.NONE)
                    .request();
            assertEquals(cli(("--" + query.replace("&", "&--")).split("[=&]")), served, query);
        }
    }

    @Test
    void aPresetAndABoundThatDisagreeAreAUsageError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cli("--preset", "default", "--max-visibility", "0.14"));
        assertTrue(e.getMessage().contains("nearest"), e.getMessage());
        assertThrows(LocalService.Refusal.class,
                () -> LocalService.ProtectQuery.parse("preset=low&max-visibility=0.14", ImagesFolder.NONE));
        assertThrows(LocalService.Refusal.class,
                () -> LocalService.ProtectQuery.parse("effort=extreme", ImagesFolder.NONE));
    }
}
