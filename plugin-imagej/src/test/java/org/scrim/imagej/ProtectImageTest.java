package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
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
import ij.process.LUT;
import ij.process.ShortProcessor;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.Effort;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Strength;
import org.scrim.engine.protect.Verdict;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.testing.SharedData;

/** Drives the ImageJ 1.x commands as a macro would: options through Macro.setOptions, the filter's setup and run. */
class ProtectImageTest {
    static {
        HeadlessImageJ.init();
    }

    /** In place, so the tests look at the image they gave; "preset" is the key macros used before "strength". */
    private static final String MASK = "preset=default decoy=pattern seed=7 steps=3 in_place ";

    @BeforeAll
    static void useSharedModels() {
        Prefs.set(EngineSettings.MODEL_DIR, SharedData.path("models").toString());
    }

    /** chelsea.png at 96 px wide: a protection takes about a second. */
    static ImagePlus smallImage() {
        ImagePlus imp = IJ.openImage(SharedData.path("images/chelsea.png").toString());
        ImageProcessor ip = imp.getProcessor();
        return new ImagePlus("chelsea", ip.resize(96, ip.getHeight() * 96 / ip.getWidth(), true));
    }

    /** Runs the filter as ImageJ's filter runner does without a display (no preview); returns its result image. */
    static ImagePlus protect(ImagePlus imp, String mode, String options) {
        Protect_Image filter = readyFilter(imp, mode, options);
        filter.run(imp.getProcessor());
        return filter.result();
    }

    /** The filter after its setup and dialog, read from {@code options} as a macro's run() gives them. */
    static Protect_Image readyFilter(ImagePlus imp, String mode, String options) {
        Macro.setOptions(Thread.currentThread(), options);
        try {
            Protect_Image filter = new Protect_Image();
            assertNotEquals(PlugInFilter.DONE, filter.setup(mode, imp), "setup refused the image");
            assertNotEquals(PlugInFilter.DONE, filter.showDialog(imp, "Mask Style...", null), "options refused");
            return filter;
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
        assertEquals(verdict.level().word(), table.getStringValue("Value", 0));
        assertEquals("models checked", table.getStringValue("Figure", 1));
        assertEquals("taef2", table.getStringValue("Value", 1));
        assertEquals(verdict.view(), table.getStringValue("Value", 2));
        assertEquals(verdict.weakest(), table.getValue("Value", 4), 1e-9);
        // the table opens about 700 px wide, its Value column about 35 characters: a longer cell is cut off there
        for (int row = 0; row < table.size(); row++) {
            String cell = table.getStringValue("Value", row);
            assertTrue(cell.length() <= 35, "row " + row + " is cut off in the table's window: " + cell);
        }
        for (String line : Verify_Protection.logLines("chelsea (protected)", verdict)) {
            assertTrue(line.length() <= 80, "a Log line runs past the Log window: " + line);
        }
        assertEquals("closeness none", table.getStringValue("Figure", 5));
        assertEquals(report.primaryCloseness(), table.getValue("Value", 5), 1e-9);
        int last = table.size() - 1;
        assertEquals("seen at 100%", table.getStringValue("Figure", last));
        assertEquals(report.butteraugli().seen().words(), table.getStringValue("Value", last));
    }

    /** chelsea.png at {@code width} px wide. */
    static ImagePlus image(int width) {
        ImagePlus imp = IJ.openImage(SharedData.path("images/chelsea.png").toString());
        ImageProcessor ip = imp.getProcessor();
        return new ImagePlus("chelsea", ip.resize(width, ip.getHeight() * width / ip.getWidth(), true));
    }

    @Test
    void theResultOpensAsANewImageAndTheOriginalStaysAsItWas() throws IOException {
        ImagePlus imp = smallImage();
        ImagePlus original = imp.duplicate();
        ImagePlus result = protect(imp, "mask", "strength=0.09 decoy=pattern seed=7 steps=3");

        assertEquals("chelsea (protected)", result.getTitle());
        assertArrayEquals((int[]) original.getProcessor().getPixels(), (int[]) imp.getProcessor().getPixels(),
                "the original changed");
        assertNull(imp.getProp(Protect_Image.PROP_MODE), "the original says it was protected");
        assertEquals("mask", result.getProp(Protect_Image.PROP_MODE));
        assertEquals("default", result.getProp(Protect_Image.PROP_PRESET));
        double closeness = Verify_Protection.verify(original, result, ProtectionTarget.mask(Decoy.PATTERN, 7), 512)
                .primaryCloseness();
        assertTrue(closeness > 0.05, "the copy's latent barely moved toward the decoy: " + closeness);

        // strength 0.09 is the default preset: in place, with the older "preset" key, the same pixels
        ImagePlus inPlace = smallImage();
        assertSame(inPlace, protect(inPlace, "mask", MASK));
        assertArrayEquals((int[]) result.getProcessor().getPixels(), (int[]) inPlace.getProcessor().getPixels());
    }

    @Test
    void verifyTakesTheImageACopyWasMadeFromAsTheOriginal() {
        String[] open = {"other.png", "cat.png (protected)", "cat.png"};
        assertEquals("cat.png", Verify_Protection.likelyOriginal("cat.png (protected)", open));
        assertEquals("other.png", Verify_Protection.likelyOriginal("cat.png", open));
        assertEquals("cat.png", Verify_Protection.likelyOriginal("other.png", new String[] {"other.png", "cat.png"}));
        assertEquals("cat.png", Verify_Protection.likelyOriginal("cat.png (protected 2)", open));
    }

    /** A second protected copy of an image gets a title of its own, not the first copy's. */
    @Test
    void eachProtectedCopyHasItsOwnTitle() {
        assertEquals("cat.png (protected)", Protect_Image.copyTitle("cat.png", List.of("cat.png")));
        assertEquals("cat.png (protected 2)", Protect_Image.copyTitle("cat.png",
                List.of("cat.png", "cat.png (protected)")));
        assertEquals("cat.png (protected 3)", Protect_Image.copyTitle("cat.png",
                List.of("cat.png", "cat.png (protected)", "cat.png (protected 2)")));
    }

    @Test
    void theStrengthIsTheEnginesVisibilityBoundWithTheNearestPresetsCapAndSteps() throws IOException {
        assertEquals(0.14, Protect_Image.strengthOf("preset=high decoy=pattern"), 0);
        assertEquals(0.07, Protect_Image.strengthOf("max=0.07 preset=low"), 0);
        assertEquals(0.09, Protect_Image.strengthOf(null), 0);
        ProtectRequest between = Requests.request(Mode.MASK, Strength.of(null, 0.12, null, null), "pattern", "",
                "", 7, 512);
        assertEquals(Preset.HIGH, between.preset());
        assertEquals(0.12, between.visibilityBound(), 0);
        ProtectRequest atPreset = Requests.request(Mode.MASK, Strength.of(null, 0.05, null, null), "pattern", "",
                "", 7, 512);
        assertEquals(Preset.LOW, atPreset.preset());
        assertNull(atPreset.maxVisibility(), "a preset's own bound is the preset, as the provenance records it");
    }

    /**
     * The dialog's strength makes the request the engine's one rule makes, as {@code scrim protect
     * --max-visibility} and the service do (cli's StrengthOptionsTest) and Krita (its test_service): 0.14 is high,
     * with high's steps, and effort scales them.
     */
    @Test
    void theDialogsStrengthMakesTheEnginesRequest() {
        for (String effort : new String[] {"default", "max"}) {
            Protect_Image filter = readyFilter(smallImage(), "mask",
                    "strength=0.14 effort=" + effort + " decoy=pattern seed=7");
            ProtectRequest expected = ProtectRequest.builder(Mode.MASK, Strength.of(null, 0.14,
                    Effort.parse(effort), null)).decoy("pattern").seed(7).build();
            assertEquals(expected, filter.request(), effort);
            assertEquals(Effort.parse(effort).steps(Preset.HIGH), filter.request().stepCount());
        }
    }

    @Test
    void previewProtectsTheCentreCropQuicklyAndLeavesNoResult() throws Exception {
        ImagePlus imp = image(320);
        ImagePlus original = imp.duplicate();
        Protect_Image filter = readyFilter(imp, "mask", "strength=0.14 decoy=pattern seed=7");
        Rectangle area = Protect_Image.previewArea(new Rectangle(imp.getWidth(), imp.getHeight()),
                ProtectRequest.DEFAULT_WORK_SIZE);
        assertEquals(new Rectangle(32, 0, 256, imp.getHeight()), area);

        // ImageJ's filter runner calls run() from a preview thread of its own while the dialog is open
        Thread preview = new Thread(() -> filter.run(imp.getProcessor()), "Mask Style... Preview");
        preview.start();
        preview.join(120_000);
        assertFalse(preview.isAlive(), "the preview did not end");

        int changedInside = 0;
        for (int y = 0; y < imp.getHeight(); y++) {
            for (int x = 0; x < imp.getWidth(); x++) {
                boolean differs = imp.getProcessor().getPixel(x, y) != original.getProcessor().getPixel(x, y);
                if (area.contains(x, y)) {
                    changedInside += differs ? 1 : 0;
                } else {
                    assertFalse(differs, "pixel " + x + "," + y + " outside the preview's crop changed");
                }
            }
        }
        assertTrue(changedInside > area.width * area.height / 4, "only " + changedInside + " pixels changed");
        original.setRoi(area);
        imp.setRoi(area);
        double closeness = Verify_Protection.verify(original.crop(), imp.crop(),
                ProtectionTarget.mask(Decoy.PATTERN, 1), 256).primaryCloseness();
        System.out.println("ImageJ fast preview: closeness " + closeness + " on the " + area + " crop");
        assertTrue(closeness > 0.02, "the preview's latent barely moved toward the decoy: " + closeness);
        assertNull(filter.result(), "a preview opened a result image");
    }

    @Test
    void anInterruptedPreviewChangesNothingAndTheRunnerSeesTheInterrupt() throws Exception {
        EngineSettings.engine(); // loaded before, as a dialog's first preview would have
        ImagePlus imp = smallImage();
        ImagePlus original = imp.duplicate();
        Protect_Image filter = readyFilter(imp, "mask", "strength=0.14 decoy=pattern seed=7");
        boolean[] stillInterrupted = new boolean[1];
        Thread preview = new Thread(() -> {
            Thread.currentThread().interrupt(); // a setting changed: the runner interrupts the preview
            filter.run(imp.getProcessor());
            stillInterrupted[0] = Thread.currentThread().isInterrupted();
        }, "Mask Style... Preview");
        preview.start();
        preview.join(60_000);
        assertArrayEquals((int[]) original.getProcessor().getPixels(), (int[]) imp.getProcessor().getPixels());
        assertTrue(stillInterrupted[0], "the runner would not know to start the preview again");
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

    /**
     * chelsea at 96 px as ImageJ opens a 48-bit colour TIFF: a composite of red, green and blue 16-bit channels
     * (values 1000 + 200 x level), each shown stretched over its own range.
     */
    static CompositeImage colourComposite(int channels) {
        int[] rgb = (int[]) smallImage().getProcessor().getPixels();
        int w = 96;
        int h = rgb.length / w;
        ImageStack stack = new ImageStack(w, h);
        for (int c = 0; c < channels; c++) {
            short[] plane = new short[rgb.length];
            for (int i = 0; i < rgb.length; i++) {
                plane[i] = (short) (1000 + 200 * ((rgb[i] >> (16 - 8 * (c % 3))) & 0xff));
            }
            stack.addSlice(new ShortProcessor(w, h, plane, null));
        }
        ImagePlus imp = new ImagePlus("colour", stack);
        imp.setDimensions(channels, 1, 1);
        CompositeImage composite = new CompositeImage(imp, IJ.COMPOSITE);
        composite.resetDisplayRanges();
        return composite;
    }

    /** A colour composite is protected as the RGB picture it shows, into a composite of its kind. */
    @Test
    void aColourCompositeIsProtectedAsOneRgbPictureIntoACompositeOfItsKind() throws IOException {
        CompositeImage imp = colourComposite(3);
        ImageStack before = imp.getStack().duplicate();
        LUT[] luts = imp.getLuts();
        ImagePlus result = protect(imp, "mask", "strength=0.14 decoy=pattern seed=7 steps=3");

        assertTrue(result instanceof CompositeImage, "the result is no longer a composite: " + result);
        assertEquals(16, result.getBitDepth());
        assertEquals(3, result.getNChannels());
        assertEquals(1, result.getNSlices());
        assertEquals(IJ.COMPOSITE, result.getCompositeMode());
        for (int c = 0; c < 3; c++) {
            LUT lut = result.getLuts()[c];
            assertEquals(luts[c].min, lut.min, 0, "channel " + (c + 1) + "'s display range changed");
            assertEquals(luts[c].max, lut.max, 0);
            assertEquals(luts[c].getRGB(255), lut.getRGB(255), "channel " + (c + 1) + "'s colour changed");
            assertArrayEquals((short[]) before.getPixels(c + 1), (short[]) imp.getStack().getPixels(c + 1),
                    "the original changed");
        }
        short[][] change = new short[3][];
        for (int c = 0; c < 3; c++) {
            short[] b = (short[]) before.getPixels(c + 1);
            short[] a = (short[]) result.getStack().getPixels(c + 1);
            change[c] = new short[b.length];
            for (int i = 0; i < b.length; i++) {
                change[c][i] = (short) ((a[i] & 0xffff) - (b[i] & 0xffff));
            }
        }
        assertFalse(Arrays.equals(change[0], change[1]) || Arrays.equals(change[1], change[2]),
                "the channels moved alike: protected as grey slices rather than as one colour picture");
        double closeness = Verify_Protection.verify(imp, result, ProtectionTarget.mask(Decoy.PATTERN, 7), 512)
                .primaryCloseness();
        System.out.println("ImageJ 16-bit colour composite: closeness " + closeness);
        assertTrue(closeness > 0.05, "the picture's latent barely moved toward the decoy: " + closeness);
    }

    /** A composite that is not one colour picture (2 or 4 channels) is refused, naming the image and why. */
    @Test
    void aCompositeOfOtherThanThreeChannelsIsRefused() {
        for (int channels : new int[] {2, 4}) {
            CompositeImage imp = colourComposite(channels);
            ImageStack before = imp.getStack().duplicate();
            assertEquals(PlugInFilter.DONE, new Protect_Image().setup("mask", imp), channels + " channels");
            String refusal = ProcessorTensors.refusal(imp);
            assertTrue(refusal != null && refusal.startsWith("colour is a composite of " + channels + " channels"),
                    refusal);
            for (int c = 1; c <= channels; c++) {
                assertArrayEquals((short[]) before.getPixels(c), (short[]) imp.getStack().getPixels(c));
            }
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
        assertRefused("poison", "seed=7 steps=3 ");
    }

    @Test
    void aStrengthOutsideTheEnginesBoundsIsRefusedBeforeRunning() {
        assertRefused("mask", "strength=0 decoy=pattern ");
        assertRefused("mask", "strength=1.5 decoy=pattern ");
        assertRefused("mask", "preset=strongest decoy=pattern ");
    }

    private static void assertRefused(String mode, String options) {
        ImagePlus imp = smallImage();
        ImagePlus original = imp.duplicate();
        Macro.setOptions(Thread.currentThread(), options);
        try {
            Protect_Image filter = new Protect_Image();
            assertNotEquals(PlugInFilter.DONE, filter.setup(mode, imp));
            assertEquals(PlugInFilter.DONE, filter.showDialog(imp, "Scrim", null), options);
        } finally {
            Macro.setOptions(Thread.currentThread(), null);
        }
        assertArrayEquals((int[]) original.getProcessor().getPixels(), (int[]) imp.getProcessor().getPixels());
    }
}
