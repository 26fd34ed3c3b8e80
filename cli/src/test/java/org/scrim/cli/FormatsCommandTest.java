package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The editors' plugins take the formats from here: WebP is read, never offered as an output. */
class FormatsCommandTest {
    @Test
    void listsWhatScrimReadsAndWhatItWrites() {
        StringWriter out = new StringWriter();
        int exit = ScrimCommand.commandLine().setOut(new PrintWriter(out)).execute("formats");
        assertEquals(0, exit);
        assertEquals("{\"reads\":[\"png\",\"jpg\",\"jpeg\",\"jpe\",\"jfif\",\"tif\",\"tiff\",\"webp\"],"
                + "\"writes\":[\"png\",\"jpg\",\"jpeg\",\"jpe\",\"jfif\",\"tif\",\"tiff\"]}", out.toString().trim());
    }
}
