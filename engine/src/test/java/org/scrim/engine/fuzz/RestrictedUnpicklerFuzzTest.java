package org.scrim.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import org.scrim.engine.modelio.RestrictedUnpickler;

/** Hostile pickles: the unpickler refuses them with a CheckpointException and nothing else. */
class RestrictedUnpicklerFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void stateDictPickle(byte[] pickle) throws IOException {
        FuzzContract.onlyDocumentedFailures(() -> RestrictedUnpickler.readStateDict(pickle));
    }
}
