package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.TestImages;

/**
 * A job named by its client ({@code job=ID}) shows its progress at {@code GET /jobs/ID} and stops at
 * {@code DELETE /jobs/ID}: the service frees its slot at once, so the next export does not wait behind it.
 */
class ServeCancelTest {
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aNamedJobReportsProgressAndStopsWhenCancelled(@TempDir Path dir) throws Exception {
        byte[] png = Files.readAllBytes(TestImages.write(TestImages.random(96, 96, 3, false, 8, TestImages.srgb(), 3),
                "png", dir.resolve("art.png")));
        ServeCommandTest.Service service = ServeCommandTest.start(dir.resolve("service.json"), "--max-jobs", "1");
        try {
            // Far more steps than the test waits for: only a real cancel ends this job in time.
            CompletableFuture<HttpResponse<byte[]>> long_ = CompletableFuture.supplyAsync(() -> {
                try {
                    return ServeCommandTest.send(service, "POST", "/protect?job=export-1&steps=100000&decoy=pattern",
                            png);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonObject progress = null;
            for (int i = 0; i < 1200 && (progress == null || progress.get("step").getAsInt() < 2); i++) {
                Thread.sleep(50);
                HttpResponse<byte[]> r = ServeCommandTest.send(service, "GET", "/jobs/export-1", null);
                progress = r.statusCode() == 200 ? json(r) : null;
            }
            assertTrue(progress != null && progress.get("step").getAsInt() >= 2, "no progress seen: " + progress);
            assertEquals(100000, progress.get("total").getAsInt(), "progress: " + progress);
            assertEquals("optimising", progress.get("phase").getAsString(), "progress: " + progress);

            long asked = System.nanoTime();
            HttpResponse<byte[]> cancel = ServeCommandTest.send(service, "DELETE", "/jobs/export-1", null);
            assertEquals(200, cancel.statusCode(), new String(cancel.body(), StandardCharsets.UTF_8));
            HttpResponse<byte[]> ended = long_.get(30, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - asked) / 1e9;
            System.out.printf("serve: cancelled job ended %.2f s after DELETE, at step %d%n", seconds,
                    progress.get("step").getAsInt());
            assertEquals(409, ended.statusCode(), new String(ended.body(), StandardCharsets.UTF_8));
            assertTrue(ServeCommandTest.error(ended).contains("cancelled"), ServeCommandTest.error(ended));
            assertEquals(0, ServeCommandTest.health(service).get("jobs").getAsInt(), "the slot was not freed");
            assertEquals(404, ServeCommandTest.send(service, "DELETE", "/jobs/export-1", null).statusCode());

            HttpResponse<byte[]> next = ServeCommandTest.send(service, "POST", "/protect?job=export-2&steps=2", png);
            assertEquals(200, next.statusCode(), "the next export: " + new String(next.body(), StandardCharsets.UTF_8));
            assertEquals(400, ServeCommandTest.send(service, "POST", "/protect?job=no%20spaces", png).statusCode());
        } finally {
            ServeCommandTest.send(service, "POST", "/shutdown", null);
            service.exit().get(60, TimeUnit.SECONDS);
        }
    }

    /** A client that closes its connection mid-job stops the job: nobody is left to take its answer. */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aJobWhoseClientGoesAwayIsCancelled(@TempDir Path dir) throws Exception {
        byte[] png = Files.readAllBytes(TestImages.write(TestImages.random(96, 96, 3, false, 8, TestImages.srgb(), 4),
                "png", dir.resolve("art.png")));
        ServeCommandTest.Service service = ServeCommandTest.start(dir.resolve("service.json"), "--max-jobs", "1");
        try {
            // Far more steps than the test waits for, and no name: only the client's leaving can end it in time.
            try (Socket leaver = ServeCommandTest.raw(service, "POST /protect?steps=100000&decoy=pattern HTTP/1.1\r\n"
                    + "Content-Length: " + png.length + "\r\n", png)) {
                assertEquals(1, ServeCommandTest.awaitJobs(service, 1), "the job runs");
                Thread.sleep(2 * LocalService.CLIENT_CHECK_MILLIS);
                assertEquals(1, ServeCommandTest.health(service).get("jobs").getAsInt(),
                        "a client still connected keeps its job");
            }
            long left = System.nanoTime();
            ServeCommandTest.awaitIdle(service);
            System.out.printf("serve: job stopped %.2f s after its client left%n", (System.nanoTime() - left) / 1e9);

            HttpResponse<byte[]> next = ServeCommandTest.send(service, "POST", "/protect?steps=2", png);
            assertEquals(200, next.statusCode(), "the next export: " + new String(next.body(), StandardCharsets.UTF_8));
        } finally {
            ServeCommandTest.send(service, "POST", "/shutdown", null);
            service.exit().get(60, TimeUnit.SECONDS);
        }
    }

    private static JsonObject json(HttpResponse<byte[]> r) {
        return JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
