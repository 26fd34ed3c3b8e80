package org.scrim.engine.optout;

import java.io.IOException;

/**
 * Scrim's part of a hand-maintained text file (robots.txt, ai.txt), fenced by comment markers so a re-run replaces
 * exactly that part and leaves the owner's lines alone.
 */
final class MarkedBlock {
    static final String BEGIN = "# BEGIN Scrim AI-training opt-out (managed by scrim optout; edits inside are replaced)";
    static final String END = "# END Scrim AI-training opt-out";

    private MarkedBlock() {}

    /** {@code existing} with the block replaced in place, or appended after a blank line when absent. */
    static String merge(String existing, String body, String fileName) throws IOException {
        String block = BEGIN + "\n" + body.strip() + "\n" + END + "\n";
        String text = existing.replace("\r\n", "\n");
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 && end < 0) {
            if (text.isBlank()) {
                return block;
            }
            String trimmed = text.stripTrailing();
            return trimmed + "\n\n" + block;
        }
        if (begin < 0 || end < begin || text.indexOf(BEGIN, begin + 1) >= 0) {
            throw new IOException(fileName + ": Scrim's BEGIN/END markers are unpaired or repeated; fix them by hand");
        }
        int after = text.indexOf('\n', end);
        return text.substring(0, begin) + block + (after < 0 ? "" : text.substring(after + 1));
    }
}
