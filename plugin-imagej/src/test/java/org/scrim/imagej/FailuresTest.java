package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** The words of an error message box: wrapped to a readable width, with the real reason, never "(null)". */
class FailuresTest {
    @Test
    void longMessagesWrapAtSpacesToAReadableWidth() {
        String message = "Protection of a-painting-with-a-long-name.png failed: " + "the reason goes on ".repeat(20);
        String wrapped = Failures.wrap(message);
        for (String line : wrapped.split("\n")) {
            assertTrue(line.length() <= 72, "too wide: " + line);
        }
        assertEquals(message.strip(), wrapped.replace('\n', ' '));
    }

    @Test
    void theReasonIsTheFirstMessageInTheChainNeverNull() {
        assertEquals("disk full", Failures.reason(new RuntimeException(null, new IOException("disk full"))));
        assertEquals("an unexpected ConnectException", Failures.reason(new ConnectException()));
    }
}
