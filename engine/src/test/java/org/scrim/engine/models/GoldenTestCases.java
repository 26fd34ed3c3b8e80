package org.scrim.engine.models;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scrim.engine.modelio.Npy;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/** The reference cases of {@code ../shared/golden}: upstream PyTorch outputs for fixed crops. */
public final class GoldenTestCases {
    private GoldenTestCases() {}

    public static List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonElement c : JsonParser.parseString(Files.readString(SharedData.path("golden/index.json")))
                .getAsJsonObject().getAsJsonArray("cases")) {
            names.add(c.getAsJsonObject().get("case").getAsString());
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("golden/index.json lists no cases");
        }
        return names;
    }

    public static Tensor array(String name, String kind) throws IOException {
        return Npy.read(SharedData.path("golden/" + name + "." + kind + ".npy"));
    }

    public static Path model(String file) {
        return SharedData.path("models/" + file);
    }

    /** Fails unless {@code actual} matches {@code expected} to 1e-4 of the expected array's max abs value. */
    public static void assertClose(Tensor expected, Tensor actual, String what) {
        float tol = 1e-4f * expected.maxAbs();
        float err = expected.maxAbsDiff(actual);
        if (!(err <= tol)) {
            throw new AssertionError(what + ": max abs error " + err + " exceeds " + tol
                    + " (1e-4 of max abs " + expected.maxAbs() + ")");
        }
    }
}
