package org.scrim.engine.imageio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.metadata.IIOMetadataNode;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ICC profiles, EXIF, XMP and text chunks must survive protection: checked with javax.imageio and exiftool. */
class ImageFilesMetadataTest {
    @TempDir
    Path dir;

    private static final String[] TAGS = {"Artist", "Copyright", "Rights", "Creator", "DataMining", "Author",
        "Description", "ImageDescription"};

    @Test
    void pngKeepsIccProfileAndTextChunks() throws Exception {
        byte[] profile = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        IIOMetadataNode tree = new IIOMetadataNode("javax_imageio_png_1.0");
        tree.appendChild(TestImages.iccpNode("linear", profile));
        IIOMetadataNode text = new IIOMetadataNode("tEXt");
        text.appendChild(textEntry("Author", "Ann Artist"));
        text.appendChild(textEntry("Description", "no AI training"));
        tree.appendChild(text);
        Path png = TestImages.write(TestImages.random(30, 20, 3, false, 8, TestImages.linearRgb(), 1), "png",
                dir.resolve("icc.png"), tree);

        PlanarImage image = ImageFiles.read(png);
        assertArrayEquals(profile, image.iccProfile());
        Path out = dir.resolve("icc-out.png");
        ImageFiles.write(image.withRgb(ImageFilesRoundTripTest.perturb(image.toRgb(), 0.02f, 1)), out);
        assertArrayEquals(profile, ImageFiles.read(out).iccProfile());
        assertArrayEquals(iccBytes(png), iccBytes(out));
        assertSameTags(png, out, 2);
    }

    @Test
    void grayPngKeepsGrayIccProfile() throws Exception {
        byte[] profile = ICC_Profile.getInstance(ColorSpace.CS_GRAY).getData();
        IIOMetadataNode tree = new IIOMetadataNode("javax_imageio_png_1.0");
        tree.appendChild(TestImages.iccpNode("gray", profile));
        Path png = TestImages.write(TestImages.random(9, 7, 1, false, 16, TestImages.gray(), 2), "png",
                dir.resolve("gray-icc.png"), tree);
        Path out = dir.resolve("gray-icc-out.png");
        ImageFiles.write(ImageFiles.read(png), out);
        assertArrayEquals(profile, ImageFiles.read(out).iccProfile());
        TestImages.assertSameSamples(TestImages.raster(png), TestImages.raster(out));
    }

    @Disabled("KNOWN BUG, open: the JDK JPEG writer recodes colours or swaps the ICC profile when a JPEG with a"
            + " non-sRGB profile is written (EXIF-only source, other source format, or a profile added by exiftool);"
            + " PNG/TIFF and JFIF JPEGs read by the JDK (rocket.jpg) are fine. See the imageio report.")
    @Test
    void jpegKeepsExifXmpAndIcc() throws Exception {
        Path jpeg = TestImages.write(TestImages.smooth(64, 48, TestImages.srgb()), "jpeg",
                dir.resolve("tagged.jpg"));
        Path icc = dir.resolve("linear.icc");
        Files.write(icc, ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData());
        tag(jpeg, icc);
        byte[] profile = iccBytes(jpeg);

        PlanarImage image = ImageFiles.read(jpeg);
        assertArrayEquals(profile, image.iccProfile());
        Path out = dir.resolve("tagged-out.jpg");
        ImageFiles.write(image.withRgb(ImageFilesRoundTripTest.perturb(image.toRgb(), 1f / 255f, 2)), out);
        // The JDK writes a JFIF file's profile re-serialised: the same profile, other header and bytes.
        assertSameIccProfile(jpeg, out);
        assertSameTags(jpeg, out, 5);
        assertColoursKept(jpeg, out);
    }

    @Disabled("KNOWN BUG, open: the JDK JPEG writer recodes colours or swaps the ICC profile when a JPEG with a"
            + " non-sRGB profile is written (EXIF-only source, other source format, or a profile added by exiftool);"
            + " PNG/TIFF and JFIF JPEGs read by the JDK (rocket.jpg) are fine. See the imageio report.")
    @Test
    void exifOnlyJpegWithoutJfifKeepsExifXmpAndIcc() throws Exception {
        // Camera files carry EXIF but no JFIF segment; the JDK keeps their APP segments as unknown markers.
        Path jpeg = TestImages.write(TestImages.smooth(64, 48, TestImages.srgb()), "jpeg",
                dir.resolve("camera.jpg"));
        Path icc = dir.resolve("linear.icc");
        Files.write(icc, ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData());
        tag(jpeg, icc);
        TestImages.exiftool("-q", "-overwrite_original", "-JFIF:all=", jpeg.toString());
        byte[] profile = iccBytes(jpeg);
        PlanarImage image = ImageFiles.read(jpeg);
        assertArrayEquals(profile, image.iccProfile());
        Path out = dir.resolve("camera-out.jpg");
        ImageFiles.write(image, out);
        assertArrayEquals(profile, iccBytes(out));
        assertSameTags(jpeg, out, 5);
        assertColoursKept(jpeg, out);
    }

    /** Phones and editors may put EXIF or XMP before the JFIF segment, which the JDK's reader calls an error. */
    @Test
    void jpegWithExifAndXmpBeforeJfifIsRead() throws Exception {
        Path jfifFirst = TestImages.write(TestImages.smooth(64, 48, TestImages.srgb()), "jpeg",
                dir.resolve("jfif-first.jpg"));
        TestImages.exiftool("-q", "-overwrite_original", "-EXIF:Artist=Ann Artist", "-XMP-dc:Description=Dusk",
                jfifFirst.toString());
        Path exifFirst = Files.write(dir.resolve("exif-first.jpg"), jfifLast(Files.readAllBytes(jfifFirst)));
        assertEquals("JFIF", firstAppSegmentId(Files.readAllBytes(jfifFirst)));
        assertEquals("Exif", firstAppSegmentId(Files.readAllBytes(exifFirst)));

        PlanarImage image = ImageFiles.read(exifFirst);
        assertEquals(0f, image.colour().maxAbsDiff(ImageFiles.read(jfifFirst).colour()));
        Path out = dir.resolve("exif-first-out.jpg");
        ImageFiles.write(image, out);
        assertSameTags(exifFirst, out, 2);
    }

    /** A phone photo held sideways (Orientation 6) saved as PNG or TIFF must not turn, nor lose its Artist. */
    @Test
    void exifOrientationAndArtistGoWithAJpegSavedAsPngOrTiff() throws Exception {
        Path jpeg = TestImages.write(TestImages.smooth(64, 48, TestImages.srgb()), "jpeg", dir.resolve("phone.jpg"));
        TestImages.exiftool("-q", "-overwrite_original", "-n", "-EXIF:Orientation=6", "-EXIF:Artist=Ann Artist",
                jpeg.toString());
        PlanarImage image = ImageFiles.read(jpeg);
        for (String ext : new String[] {"png", "tif"}) {
            Path out = dir.resolve("phone." + ext);
            ImageFiles.write(image, out);
            JsonObject tags = JsonParser.parseString(TestImages.exiftool("-j", "-n", "-Orientation", "-Artist",
                    out.toString())).getAsJsonArray().get(0).getAsJsonObject();
            assertEquals(6, tags.has("Orientation") ? tags.get("Orientation").getAsInt() : 1, ext + ": " + tags);
            assertEquals("Ann Artist", tags.has("Artist") ? tags.get("Artist").getAsString() : null, ext);
            // The orientation travels as a tag, the pixels as they were: viewers turn the picture as for the JPEG.
            assertEquals(0f, ImageFiles.read(out).colour().maxAbsDiff(image.colour()), ext);
        }
    }

    /** The JPEG with its JFIF APP0 segment moved after the other APPn segments that follow it. */
    private static byte[] jfifLast(byte[] jpeg) {
        int app0Length = ((jpeg[4] & 0xff) << 8 | (jpeg[5] & 0xff)) + 2;
        int end = 2 + app0Length;
        while ((jpeg[end + 1] & 0xf0) == 0xe0) {
            end += ((jpeg[end + 2] & 0xff) << 8 | (jpeg[end + 3] & 0xff)) + 2;
        }
        byte[] out = jpeg.clone();
        System.arraycopy(jpeg, 2 + app0Length, out, 2, end - 2 - app0Length);
        System.arraycopy(jpeg, 2, out, end - app0Length, app0Length);
        return out;
    }

    private static String firstAppSegmentId(byte[] jpeg) {
        return new String(jpeg, 6, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void tiffKeepsIccAndTags() throws Exception {
        Path tiff = TestImages.write(TestImages.random(20, 10, 3, false, 16, TestImages.srgb(), 5), "tiff",
                dir.resolve("tagged.tif"));
        Path icc = dir.resolve("linear.icc");
        Files.write(icc, ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData());
        tag(tiff, icc);
        byte[] profile = iccBytes(tiff);
        PlanarImage image = ImageFiles.read(tiff);
        assertArrayEquals(profile, image.iccProfile());
        Path out = dir.resolve("tagged-out.tif");
        ImageFiles.write(image, out);
        assertArrayEquals(profile, iccBytes(out));
        assertSameTags(tiff, out, 5);
        TestImages.assertSameSamples(TestImages.raster(tiff), TestImages.raster(out));
    }

    @Disabled("KNOWN BUG, open: the JDK JPEG writer recodes colours or swaps the ICC profile when a JPEG with a"
            + " non-sRGB profile is written (EXIF-only source, other source format, or a profile added by exiftool);"
            + " PNG/TIFF and JFIF JPEGs read by the JDK (rocket.jpg) are fine. See the imageio report.")
    @Test
    void writingInAnotherFormatKeepsTheIccProfile() throws Exception {
        ICC_ColorSpace linear = TestImages.linearRgb();
        Path jpeg = TestImages.write(TestImages.smooth(32, 16, linear), "jpeg",
                dir.resolve("linear.jpg"));
        PlanarImage image = ImageFiles.read(jpeg);
        assertNotNull(image.iccProfile(), "the JDK writer embeds the profile of an ICC colour space");
        for (String ext : new String[] {"png", "tif"}) {
            Path out = dir.resolve("converted." + ext);
            ImageFiles.write(image, out);
            assertEquals(ImageFormat.forPath(out).orElseThrow(), ImageFiles.read(out).format());
            assertArrayEquals(image.iccProfile(), ImageFiles.read(out).iccProfile(), ext);
        }
        Path png = dir.resolve("converted.png");
        Path back = dir.resolve("back.jpg");
        ImageFiles.write(ImageFiles.read(png), back);
        assertSameIccProfile(jpeg, back);
        assertColoursKept(png, back);
    }

    /** A JPEG re-encoded at high quality decodes to nearly the same colours (no colour-space recoding). */
    private static void assertColoursKept(Path before, Path after) throws Exception {
        double psnr = TestImages.psnr(TestImages.raster(before), TestImages.raster(after));
        assertEquals(true, psnr > 35, after.getFileName() + " PSNR " + psnr);
    }

    /** Same ICC profile content as exiftool decodes it, apart from the CMM and creator that re-serialising sets. */
    private static void assertSameIccProfile(Path before, Path after) throws Exception {
        JsonObject a = iccTags(before);
        JsonObject b = iccTags(after);
        assertEquals(true, a.size() > 10, "too few ICC tags in " + before + ": " + a);
        assertEquals(a, b, "ICC profile of " + after.getFileName());
    }

    private static JsonObject iccTags(Path file) throws Exception {
        JsonObject tags = JsonParser.parseString(TestImages.exiftool("-j", "-ICC_Profile:all", "-x",
                "ProfileCMMType", "-x", "ProfileCreator", file.toString())).getAsJsonArray().get(0).getAsJsonObject();
        tags.remove("SourceFile");
        return tags;
    }

    private static IIOMetadataNode textEntry(String keyword, String value) {
        IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
        entry.setAttribute("keyword", keyword);
        entry.setAttribute("value", value);
        return entry;
    }

    /** Adds EXIF, XMP (including the IPTC data-mining opt-out) and an ICC profile with exiftool. */
    private static void tag(Path file, Path icc) throws Exception {
        TestImages.exiftool("-q", "-overwrite_original", "-EXIF:Artist=Ann Artist", "-EXIF:Copyright=(c) Ann",
                "-EXIF:ImageDescription=study in blue", "-XMP-dc:Rights=All rights reserved",
                "-XMP-dc:Creator=Ann Artist",
                "-XMP-plus:DataMining=http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING",
                "-ICC_Profile<=" + icc, file.toString());
    }

    private static byte[] iccBytes(Path file) throws Exception {
        Path extracted = file.resolveSibling(file.getFileName() + ".extracted.icc");
        TestImages.exiftool("-q", "-b", "-ICC_Profile", "-w!", "%d%f.%e.extracted.icc", file.toString());
        byte[] bytes = Files.readAllBytes(extracted);
        Files.delete(extracted);
        return bytes;
    }

    /** The descriptive tags exiftool finds: the same values before and after, and at least {@code expected}. */
    private static void assertSameTags(Path before, Path after, int expected) throws Exception {
        JsonObject a = tags(before);
        JsonObject b = tags(after);
        int found = 0;
        for (String tag : TAGS) {
            if (a.has(tag)) {
                assertEquals(a.get(tag), b.get(tag), tag + " in " + after.getFileName());
                found++;
            }
        }
        assertEquals(true, found >= expected, "only " + found + " tags found in " + before + ": " + a);
    }

    private static JsonObject tags(Path file) throws Exception {
        String json = TestImages.exiftool("-j", file.toString());
        return JsonParser.parseString(json).getAsJsonArray().get(0).getAsJsonObject();
    }
}
