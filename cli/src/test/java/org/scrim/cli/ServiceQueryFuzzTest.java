package org.scrim.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * The query of a {@code POST /protect} request, as any local program may send it: it is accepted, or refused with
 * a 400 and a sentence for the client. Anything else (a runtime exception, which the service would answer with
 * 500) is a finding. A normal {@code mvn test} replays the seeds in
 * {@code src/test/resources/org/scrim/cli/ServiceQueryFuzzTestInputs/protectQuery/}; to fuzz (30 s):
 * {@code JAZZER_FUZZ=1 mvn -o -pl cli -am surefire:test -Dtest='ServiceQueryFuzzTest#protectQuery'
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ServiceQueryFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void protectQuery(byte[] raw) {
        // The HTTP server hands over the raw query as the URI had it: ASCII, or whatever a careless client sent.
        String query = new String(raw, StandardCharsets.ISO_8859_1);
        try {
            LocalService.ProtectQuery.parse(query, ImagesFolder.NONE);
        } catch (LocalService.Refusal r) {
            if (r.status != 400 || r.getMessage() == null || r.getMessage().isBlank()) {
                throw new AssertionError("a refusal must be a 400 with a reason, got " + r.status, r);
            }
        }
    }
}
