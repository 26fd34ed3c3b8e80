package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Macro;
import ij.Prefs;
import ij.gui.OvalRoi;
import ij.measure.ResultsTable;
import ij.plugin.filter.PlugInFilter;
import ij.process.ImageConverter;
import ij.process.ImageProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.metadata.NoAiTags;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Verdict;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.testing.SharedData;

/** Drives the ImageJ 1.x commands as a macro would: options through Macro.setOptions, the filter's setup and run. */
class ProtectImageTest {
    static {
        HeadlessImageJ.init();
    }

    private static final String MASK = "preset=default decoy=pattern seed=7 steps=3 ";

    @BeforeAll
    static void useSharedModels() {
        Prefs.set(ScrimOptions.MODEL_DIR, SharedData.path("models").toString());
    }

    /** chelsea.png at 96 px wide: a protection takes about a second. */
    static ImagePlus smallImage() {
        ImagePlus imp = IJ.openImage(SharedData.path("images/chelsea.png").toString());
        ImageProcessor ip = imp.getProcessor();
        return new ImagePlus("chelsea", ip.resize(96, ip.getHeight() * 96 / ip.getWidth(), true));
    }

    static void protect(ImagePlus imp, String mode, String options) {
        Macro.setOptions(Thread.currentThread(), options);
        try {
            Protect_Image filter = new Protect_Image();
            assertNotEquals(PlugInFilter.DONE, filter.setup(mode, imp), "setup refused the image or the options");
            filter.run(imp.getProcessor());
        } finally {
            Macro.setOptions(Thread.currentThread(), null);
        }
    }

    @Test
    void maskStaysWithinBudgetAndMovesLatentTowardDecoy() throws IOException {
        ImagePlus imp = smallImage();
        ImagePlus original = imp.duplicate();
        protect(imp, "mask", MASK);

        int[] before = (int[]) original.getProcessor().getPixels();
        int[] after = (int[]) imp.getProcessor().getPixels();
        int maxChange = 0;
        for (int i = 0; i < before.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                maxChange = Math.max(maxChange, Math.abs(((before[i] >> shift) & 0xff) - ((after[i] >> shift) & 0xff)));
            }
        }
        assertTrue(maxChange > 0, "the image did not change");
        assertTrue(maxChange <= 17, "a channel moved " + maxChange + " levels, beyond the preset's 16/255 cap");
        assertEquals("pattern", imp.getProp(Protect_Image.PROP_DECOY));

        Verifier.Report report = Verify_Protection.verify(original, imp, ProtectionTarget.mask(Decoy.PATTERN, 7), 512);
        assertTrue(report.primaryCloseness() > 0, "latent did not move toward the decoy: " + report.closeness());
        Verdict verdict = Verdict.of(report, "taef2");
        ResultsTable table = Verify_Protection.show(report, verdict, "chelsea");
        assertEquals("verdict", table.getStringValue("Figure", 0));
        assertEquals(verdict.headline(), table.getStringValue("Value", 0));
        assertEquals("closeness none", table.getStringValue("Figure", 1));
        assertEquals(report.primaryCloseness(), table.getValue("Value", 1), 1e-9);
    }

    @Test
    void progressTellsStepsAndTimeLeft() {
        assertEquals("step 1 of 11", Protect_Image.IjProgress.stepText(1, 11, 0, 0));
        assertEquals("step 3 of 11, about 40 s left", Protect_Image.IjProgress.stepText(3, 11, 2, 10));
        assertEquals("step 3 of 200, about 16 min left", Protect_Image.IjProgress.stepText(3, 200, 2, 10));
        assertEquals("step 11 of 11", Protect_Image.IjProgress.stepText(11, 11, 10, 50));
    }

    @Test
    void sameSeedGivesSamePixels() {
        ImagePlus a = smallImage();
        ImagePlus b = smallImage();
        protect(a, "mask", MASK);
        protect(b, "mask", MASK);
        assertArrayEquals((int[]) a.getProcessor().getPixels(), (int[]) b.getProcessor().getPixels());
    }

    @Test
    void onlyTheSelectionChanges() {
        ImagePlus imp = smallImage();
        ImagePlus original = imp.duplicate();
        OvalRoi roi = new OvalRoi(20, 10, 48, 40);
        imp.setRoi(roi);
        protect(imp, "mask", MASK);
        int changedInside = 0;
        for (int y = 0; y < imp.getHeight(); y++) {
            for (int x = 0; x < imp.getWidth(); x++) {
                boolean differs = imp.getProcessor().getPixel(x, y) != original.getProcessor().getPixel(x, y);
                if (roi.contains(x, y)) {
                    changedInside += differs ? 1 : 0;
                } else {
                    assertFalse(differs, "pixel " + x + "," + y + " outside the selection changed");
                }
            }
        }
        assertTrue(changedInside > 100, "only " + changedInside + " pixels changed inside the selection");
    }

    @Test
    void sixteenBitStackIsProtectedSliceBySliceInDisplayRangeUnits() {
        ImagePlus rgb = smallImage();
        ImageStack stack = new ImageStack(rgb.getWidth(), rgb.getHeight());
        ImageProcessor gray = rgb.getProcessor().convertToShort(false);
        gray.multiply(40); // 0..10200: a display range that is not the type's
        stack.addSlice(gray);
        stack.addSlice(gray.duplicate());
        ImagePlus imp = new ImagePlus("stack", stack);
        imp.resetDisplayRange();
        double range = imp.getDisplayRangeMax() - imp.getDisplayRangeMin();
        ImageStack original = imp.getStack().duplicate();

        protect(imp, "mask", MASK + "stack");

        for (int s = 1; s <= 2; s++) {
            short[] before = (short[]) original.getPixels(s);
            short[] after = (short[]) imp.getStack().getPixels(s);
            int maxChange = 0;
            for (int i = 0; i < before.length; i++) {
                maxChange = Math.max(maxChange, Math.abs((before[i] & 0xffff) - (after[i] & 0xffff)));
            }
            assertTrue(maxChange > 0, "slice " + s + " did not change");
            assertTrue(maxChange <= range * 17 / 255, "slice " + s + " moved " + maxChange + ", over the cap");
        }
    }

    @Test
    void savedFileCarriesNoAiStatement(@TempDir Path dir) throws IOException {
        ImagePlus imp = smallImage();
        protect(imp, "mask", MASK);
        Path out = dir.resolve("chelsea.protected.png");
        Save_Protected.save(imp, out, NoAiTags.prohibitAiTraining(Recorded.protection(imp)));
        String bytes = new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains("DMI-PROHIBITED-AIMLTRAINING"), "no data-mining statement in the saved PNG");
        assertTrue(bytes.contains("pattern"), "the decoy is missing from the provenance");
        assertEquals(imp.getWidth(), IJ.openImage(out.toString()).getWidth());
    }

    @Test
    void poisonWithoutAnchorsIsRefusedBeforeRunning() {
        ImagePlus imp = smallImage();
        ImagePlus original = imp.duplicate();
        Macro.setOptions(Thread.currentThread(), "seed=7 steps=3 ");
        try {
            assertEquals(PlugInFilter.DONE, new Protect_Image().setup("poison", imp));
        } finally {
            Macro.setOptions(Thread.currentThread(), null);
        }
        assertArrayEquals((int[]) original.getProcessor().getPixels(), (int[]) imp.getProcessor().getPixels());
    }
}
