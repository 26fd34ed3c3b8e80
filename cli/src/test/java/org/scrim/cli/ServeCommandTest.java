package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.TestImages;
import org.scrim.engine.testing.SharedData;

/**
 * {@code scrim serve} as the Krita bridge meets it: started by the command, found through its state file, spoken
 * to over real sockets, including clients that send garbage, too much, too slowly, or leave mid-job.
 */
class ServeCommandTest {
    private static final int MAX_BODY = 64 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dir;
    private static Service service;
    private static byte[] png;

    /** A running {@code scrim serve} in this JVM: its thread, its state file, and what the file says. */
    record Service(Future<Integer> exit, Path stateFile, JsonObject state) {
        int port() {
            return state.get("port").getAsInt();
        }

        String token() {
            return state.get("token").getAsString();
        }
    }

    static Service start(Path stateFile, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--state-file", stateFile.toString(), "--model-dir",
                SharedData.path("models").toString(), "--threads", "1"));
        args.addAll(List.of(options));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Future<Integer> exit = thread.submit(() -> ScrimCommand.commandLine().execute(args.toArray(String[]::new)));
        thread.shutdown();
        for (int i = 0; i < 600 && !Files.exists(stateFile); i++) {
            assertFalse(exit.isDone(), "scrim serve stopped early with exit code " + (exit.isDone() ? exit.get() : 0));
            Thread.sleep(50);
        }
        return new Service(exit, stateFile, JsonParser.parseString(Files.readString(stateFile)).getAsJsonObject());
    }

    @BeforeAll
    static void startService() throws Exception {
        png = Files.readAllBytes(TestImages.write(TestImages.random(64, 64, 3, false, 8, TestImages.srgb(), 5), "png",
                dir.resolve("art.png")));
        service = start(dir.resolve("state/service.json"), "--max-body", "64K", "--max-jobs", "1",
                "--read-timeout", "2");
    }

    @AfterAll
    static void stopService() throws Exception {
        send(service, "POST", "/shutdown", null);
        assertEquals(0, service.exit().get());
    }

    static HttpResponse<byte[]> send(Service s, String method, String pathAndQuery, byte[] body) throws Exception {
        return send(s, method, pathAndQuery, body, "Bearer " + s.token());
    }

    static HttpResponse<byte[]> send(Service s, String method, String pathAndQuery, byte[] body, String auth)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + pathAndQuery))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String error(HttpResponse<byte[]> r) {
        return JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonObject().get("error")
                .getAsString();
    }

    static JsonObject health(Service s) throws Exception {
        HttpResponse<byte[]> r = send(s, "GET", "/health", null);
        assertEquals(200, r.statusCode());
        return JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    /** Waits (bounded) until no job holds a slot: the slot of a failed or abandoned job must come back. */
    static void awaitIdle(Service s) throws Exception {
        awaitJobs(s, 0);
        assertEquals(0, health(s).get("jobs").getAsInt(), "the job slot was freed");
    }

    /** Polls (at most 30 s) until {@code jobs} hold a slot; returns how many did at the last look. */
    static int awaitJobs(Service s, int jobs) throws Exception {
        int now = health(s).get("jobs").getAsInt();
        for (int i = 0; i < 600 && now != jobs; i++) {
            Thread.sleep(50);
            now = health(s).get("jobs").getAsInt();
        }
        return now;
    }

    /** Opens a raw connection and sends a request head (plus {@code body}), for what HttpClient will not send. */
    static Socket raw(Service s, String head, byte[] body) throws IOException {
        Socket socket = new Socket("127.0.0.1", s.port());
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write((head + "Host: 127.0.0.1:" + s.port() + "\r\nConnection: close\r\n"
                + "Authorization: Bearer " + s.token() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
        return socket;
    }

    static String readAll(Socket socket) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = socket.getInputStream()) {
            in.transferTo(out);
        } catch (IOException reset) {
            // A server that closes without reading everything may reset; what arrived before still counts.
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        assertEquals("http://127.0.0.1:" + service.port(), service.state().get("url").getAsString());
        List<InetAddress> others = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            nic.inetAddresses().filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).forEach(others::add);
        }
        for (InetAddress address : others) {
            try (Socket socket = new Socket()) {
                assertThrows(IOException.class, () -> socket.connect(new InetSocketAddress(address, service.port()),
                        2000), "the service must not be reachable on " + address);
            }
        }
        System.out.println("scrim serve: not reachable on " + others + ", reachable on 127.0.0.1");
    }

    @Test
    void stateFileAndTempFolderAreTheOwnersAloneAndGoAwayOnShutdown() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(service.stateFile())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                service.stateFile().getParent())));
        assertEquals(64, service.token().length(), "256 bits in hex");

        List<Path> before = serviceTempFolders();
        Service other = start(dir.resolve("other.json"));
        assertFalse(other.token().equals(service.token()), "every start makes a new token");
        List<Path> temps = new ArrayList<>(serviceTempFolders());
        temps.removeAll(before);
        assertEquals(1, temps.size(), "one private temp folder: " + temps);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(temps.get(0))));
        assertEquals(200, send(other, "POST", "/protect?preset=low&steps=1&decoy=pattern&no-verify=true", png)
                .statusCode());
        try (Stream<Path> left = Files.list(temps.get(0))) {
            assertEquals(List.of(), left.toList(), "a job's files are deleted when it ends");
        }
        assertEquals(200, send(other, "POST", "/shutdown", null).statusCode());
        assertEquals(0, other.exit().get());
        assertFalse(Files.exists(other.stateFile()), "the state file is removed on shutdown");
        assertFalse(Files.exists(temps.get(0)), "the temp folder is removed on shutdown");
        assertThrows(IOException.class, () -> health(other), "nothing listens any more");
    }

    private static List<Path> serviceTempFolders() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("scrim-serve-")).toList();
        }
    }

    @Test
    void everyRequestNeedsTheToken() throws Exception {
        for (String auth : Arrays.asList(null, "Bearer wrong", "Bearer " + service.token() + "0",
                service.token(), "Basic " + service.token())) {
            for (String[] request : List.of(new String[] {"GET", "/health"}, new String[] {"POST", "/protect"},
                    new String[] {"POST", "/shutdown"}, new String[] {"GET", "/elsewhere"})) {
                HttpResponse<byte[]> r = send(service, request[0], request[1], png, auth);
                assertEquals(401, r.statusCode(), auth + " " + request[1]);
                assertTrue(error(r).startsWith("missing or wrong token: send 'Authorization: Bearer TOKEN'"),
                        error(r));
            }
        }
        assertEquals(404, send(service, "GET", "/elsewhere", null).statusCode());
        assertEquals("ok", health(service).get("status").getAsString(), "still serving, and not shut down");
    }

    @Test
    void bodiesOverTheCapAre413() throws Exception {
        try (Socket declared = raw(service, "POST /protect HTTP/1.1\r\nContent-Length: 100000000\r\n", new byte[0])) {
            String answer = readAll(declared);
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.contains("the body (100000000 bytes) is over the service's limit of 65536 bytes "
                    + "(--max-body)"), answer);
        }
        byte[] chunk = new byte[MAX_BODY + 1024];
        try (Socket chunked = raw(service, "POST /protect HTTP/1.1\r\nTransfer-Encoding: chunked\r\n",
                concat(Integer.toHexString(chunk.length) + "\r\n", chunk, "\r\n0\r\n\r\n"))) {
            String answer = readAll(chunked);
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.contains("the body (more than 65536 bytes) is over the service's limit"), answer);
        }
        awaitIdle(service);
    }

    @Test
    void aSecondJobIsTurnedAwayAtOnceWhileTheSlotIsTakenAndTheSlotComesBackWhenTheClientLeaves() throws Exception {
        try (Socket leaver = raw(service, "POST /protect?preset=low&steps=10&decoy=pattern HTTP/1.1\r\n"
                + "Content-Length: " + png.length + "\r\n", png)) {
            assertEquals(1, awaitJobs(service, 1), "the job holds the slot");
            HttpResponse<byte[]> busy = send(service, "POST", "/protect?preset=low", png);
            assertEquals(503, busy.statusCode());
            assertEquals("busy, 1 job running (--max-jobs 1); try again when one has finished", error(busy));
        }
        awaitIdle(service);
    }

    @Test
    void malformedRequestsAre400WithTheReasonAndTheServiceGoesOn() throws Exception {
        String[][] cases = {
            {"/protect?preset=low", "not an image", "the image: unsupported or unrecognised format (Scrim reads PNG, "
                    + "JPEG, TIFF and WebP)"},
            {"/protect?preset=ultra", null, "Invalid value for option '--preset': expected one of [LOW, DEFAULT, "
                    + "HIGH] (case-insensitive) but was 'ultra'"},
            {"/protect?steps=many", null, "Invalid value for option '--steps': 'many' is not an int"},
            {"/protect?steps=0", null, "steps must be at least 1, got 0"},
            {"/protect?decoy=glitter", null, "unknown decoy 'glitter'; choose one of posterize, mosaic, woodcut, "
                    + "sketch, pattern, hueshift"},
            {"/protect?mode=poison", null, "poison needs at least one anchor image of another concept"},
            {"/protect?format=bmp", null, "format: 'bmp' is not one of png, jpg, jpeg, jpe, jfif, tif, tiff (the "
                    + "formats Scrim writes)"},
            {"/protect?colour=red", null, "unknown parameter 'colour'; known: format, job, anchor, "},
            {"/protect?decoy=pattern", "", "no image in the request body"},
            {"/protect?decoy=pattern&steps=1", "truncated png", "the image: cannot decode the image, the file is "
                    + "truncated or corrupt"},
        };
        for (String[] c : cases) {
            byte[] body = c[1] == null ? png : c[1].equals("truncated png") ? Arrays.copyOf(png, png.length / 2)
                    : c[1].getBytes(StandardCharsets.UTF_8);
            HttpResponse<byte[]> r = send(service, "POST", c[0], body);
            assertEquals(400, r.statusCode(), c[0] + ": " + new String(r.body(), StandardCharsets.UTF_8));
            assertTrue(error(r).startsWith(c[2]), c[0] + ": " + error(r));
        }
        try (Socket cut = raw(service, "POST /protect HTTP/1.1\r\nContent-Length: 5000\r\n",
                Arrays.copyOf(png, 100))) {
            cut.shutdownOutput();
            String answer = readAll(cut);
            assertTrue(answer.isEmpty() || answer.contains("the body ended after 100 of 5000 bytes"), answer);
        }
        try (Socket garbage = new Socket("127.0.0.1", service.port())) {
            garbage.getOutputStream().write("\u0000\u0001 nonsense\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            readAll(garbage);
        }
        awaitIdle(service);
        assertEquals("ok", health(service).get("status").getAsString());
    }

    /** The mode that uses the image a query key names: a decoy image masks, an anchor poisons. */
    static String modeFor(String key) {
        return key.equals("anchor") ? "mode=poison&" : "mode=mask&";
    }

    @Test
    void withoutAnImagesFolderARequestReadsNoFileOfTheServiceAndLearnsNothingOfThem() throws Exception {
        Path decoy = TestImages.write(TestImages.random(32, 32, 3, false, 8, TestImages.srgb(), 6), "png",
                dir.resolve("decoy.png"));
        for (Path named : new Path[] {decoy, dir, dir.resolve("missing.png"), Path.of("/etc/passwd")}) {
            for (String key : new String[] {"decoy-image", "anchor"}) {
                HttpResponse<byte[]> r = send(service, "POST", "/protect?preset=low&steps=1&" + modeFor(key) + key
                        + "=" + URLEncoder.encode(named.toString(), StandardCharsets.UTF_8), png);
                assertEquals(400, r.statusCode(), key + "=" + named);
                assertEquals(key + ": the service reads images named in a request only from the folder it was "
                        + "started with (scrim serve --images-dir FOLDER), and it was started without one", error(r));
            }
        }
        awaitIdle(service);
    }

    @Test
    void aClientThatStallsIsCutOffAfterTheReadTimeout() throws Exception {
        try (Socket stalled = raw(service, "POST /protect HTTP/1.1\r\nContent-Length: 50000\r\n", new byte[10])) {
            assertEquals("", readAll(stalled), "closed by the service, not answered");
        }
        awaitIdle(service);
    }

    @Test
    void protectsAndAnswersTheTaggedFileWithItsFiguresAndSurvivesAClientLeavingMidJob() throws Exception {
        try (Socket leaver = raw(service, "POST /protect?preset=low&steps=3&decoy=pattern HTTP/1.1\r\n"
                + "Content-Length: " + png.length + "\r\n", png)) {
            assertEquals(1, awaitJobs(service, 1), "the job runs");
        }
        awaitIdle(service);

        HttpResponse<byte[]> r = send(service, "POST", "/protect?preset=low&steps=3&decoy=pattern&seed=4"
                + "&creator=Ann+Artist", png);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElseThrow());
        JsonObject report = JsonParser.parseString(r.headers().firstValue(LocalService.REPORT_HEADER).orElseThrow())
                .getAsJsonObject();
        System.out.println("scrim serve: protect round trip: " + report);
        assertEquals("pattern", report.get("decoy").getAsString());
        assertTrue(report.get("closeness").getAsDouble() > 0.05, "the latent moved toward the decoy: " + report);

        Path out = Files.write(dir.resolve("answer.png"), r.body());
        assertEquals(64, ImageFiles.read(out).width());
        assertTrue(ImageFiles.read(dir.resolve("art.png")).colour().maxAbsDiff(ImageFiles.read(out).colour()) > 0);
        JsonObject tags = ProtectCommandTest.exiftool(out);
        assertTrue(tags.get("XMP-plus:DataMining").getAsString().endsWith("DMI-PROHIBITED-AIMLTRAINING"), tags + "");
        assertEquals("Ann Artist", tags.get("XMP-dc:Creator").getAsString());
        assertEquals("4", tags.get("XMP-scrim:Seed").getAsString());
    }

    /** Health checks from 8 threads while 6 protections race for 2 slots: everything answered, nothing lost. */
    @Test
    void holdsALoadOfHealthChecksAndConcurrentJobs() throws Exception {
        Service loaded = start(dir.resolve("load.json"), "--max-jobs", "2");
        try {
            int healthRequests = 200;
            int healthThreads = 8;
            int jobs = 6;
            ConcurrentHashMap<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            AtomicInteger failures = new AtomicInteger();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(healthThreads + jobs);
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < healthThreads; t++) {
                tasks.add(() -> {
                    for (int i = 0; i < healthRequests / healthThreads; i++) {
                        timed(loaded, "GET", "/health", null, statuses, failures, latencies);
                    }
                    return null;
                });
            }
            for (int j = 0; j < jobs; j++) {
                tasks.add(() -> {
                    timed(loaded, "POST", "/protect?preset=low&steps=1&decoy=mosaic", png, statuses, failures, null);
                    return null;
                });
            }
            long start = System.nanoTime();
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            List<Long> sorted = latencies.stream().sorted().toList();
            System.out.printf("scrim serve load: %d requests (%d GET /health from %d threads, %d POST /protect at "
                    + "once, --max-jobs 2) in %.1f s; statuses %s; transport failures %d; /health latency median "
                    + "%.1f ms, p99 %.1f ms, max %.1f ms%n", healthRequests + jobs, healthRequests, healthThreads, jobs,
                    seconds, statuses, failures.get(), sorted.get(sorted.size() / 2) / 1e6,
                    sorted.get(sorted.size() * 99 / 100) / 1e6, sorted.get(sorted.size() - 1) / 1e6);

            assertEquals(0, failures.get(), "no request failed at the transport level");
            int ok = statuses.getOrDefault(200, new AtomicInteger()).get();
            int busy = statuses.getOrDefault(503, new AtomicInteger()).get();
            assertEquals(healthRequests + jobs, ok + busy, "only 200 and 503 answers: " + statuses);
            assertTrue(ok >= healthRequests + 1, "every health check and at least one job succeeded: " + statuses);
            awaitIdle(loaded);
        } finally {
            send(loaded, "POST", "/shutdown", null);
            assertEquals(0, loaded.exit().get());
        }
    }

    private static void timed(Service s, String method, String path, byte[] body,
            ConcurrentHashMap<Integer, AtomicInteger> statuses, AtomicInteger failures, List<Long> latencies) {
        long start = System.nanoTime();
        try {
            HttpResponse<byte[]> r = send(s, method, path, body);
            statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
            if (r.statusCode() == 503) {
                assertTrue(error(r).startsWith("busy, "), error(r));
            }
        } catch (Exception e) {
            failures.incrementAndGet();
        }
        if (latencies != null) {
            latencies.add(System.nanoTime() - start);
        }
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
