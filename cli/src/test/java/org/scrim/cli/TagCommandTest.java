package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.metadata.EmbeddedTags;
import org.scrim.engine.metadata.MetadataReader;
import org.scrim.engine.statement.DataMining;
import picocli.CommandLine;

class TagCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new TagCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void tagsCopiesIntoTheOutputFolderAndLeavesInputsAlone() throws Exception {
        Path png = image("a.png", "png");
        Path jpg = image("b.jpg", "jpeg");
        byte[] pngBefore = Files.readAllBytes(png);
        Path outDir = dir.resolve("out");

        int code = run(png.toString(), jpg.toString(), "-o", outDir.toString(), "--data-mining", "DMI-PROHIBITED",
                "--creator", "Ada", "--creator", "Bo", "--rights", "(c) Ada", "--constraints", "Ask first",
                "--web-statement", "https://ada.example/rights");

        assertEquals(0, code, err.toString());
        for (Path tagged : List.of(outDir.resolve("a.png"), outDir.resolve("b.jpg"))) {
            EmbeddedTags t = MetadataReader.read(tagged);
            assertEquals(DataMining.PROHIBITED, t.dataMining());
            assertEquals(List.of("Ada", "Bo"), t.creators());
            assertEquals("(c) Ada", t.rights());
            assertEquals("Ask first", t.otherConstraints());
            assertEquals("https://ada.example/rights", t.webStatement());
            assertEquals("none", t.provenance().protection());
        }
        assertArrayEquals(pngBefore, Files.readAllBytes(png));
        assertFalse(MetadataReader.read(jpg).hasXmp());
    }

    @Test
    void inPlaceUsesTheDefaultProhibition() throws Exception {
        Path png = image("a.png", "png");
        assertEquals(0, run("--in-place", png.toString()), err.toString());
        assertEquals(DataMining.PROHIBITED_AI_ML_TRAINING, MetadataReader.read(png).dataMining());
    }

    @Test
    void badFilesAreReportedAndTheRestStillTagged() throws Exception {
        Path good = image("good.png", "png");
        Path bad = Files.writeString(dir.resolve("bad.png"), "not an image");
        int code = run(bad.toString(), good.toString(), "-o", dir.resolve("out").toString());
        assertEquals(1, code);
        assertTrue(err.toString().contains(bad.toString()), err.toString());
        assertTrue(MetadataReader.read(dir.resolve("out/good.png")).prohibitsAiTraining());
    }

    @Test
    void usageErrorsAreRejectedBeforeAnythingIsWritten() throws Exception {
        Path png = image("a.png", "png");
        assertEquals(2, run(png.toString()), "a destination is required");
        assertEquals(2, run(png.toString(), "-o", dir.toString(), "--in-place"));
        assertEquals(2, run(png.toString(), "--in-place", "--data-mining", "maybe"));
        assertEquals(2, run(png.toString(), "--in-place", "--data-mining", "DMI-PROHIBITED-SEECONSTRAINT"));
        Files.createDirectories(dir.resolve("x"));
        Path twin = Files.copy(png, dir.resolve("x/a.png"));
        assertEquals(2, run(png.toString(), twin.toString(), "-o", dir.resolve("out").toString()));
        assertTrue(err.toString().contains("one result would overwrite the other"), err.toString());
        assertFalse(MetadataReader.read(png).hasXmp());
        // -o pointing at the inputs' own folder must not rewrite them.
        assertEquals(2, run(png.toString(), "-o", dir.toString()));
        assertTrue(err.toString().contains("would replace the input " + png), err.toString());
        assertFalse(MetadataReader.read(png).hasXmp());
    }

    private Path image(String name, String format) throws Exception {
        BufferedImage img = new BufferedImage(16, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, x * 15 << 16 | y * 20 << 8 | 99);
            }
        }
        Path p = dir.resolve(name);
        ImageIO.write(img, format, p.toFile());
        return p;
    }
}
