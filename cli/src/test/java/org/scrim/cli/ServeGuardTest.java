package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.TestImages;

/**
 * {@code scrim serve} against clients that stall or pretend: slow headers, stalled uploads, bodies without a token,
 * a foreign Host, a state file that is somebody else's. Loopback only; every wait is bounded.
 */
class ServeGuardTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static ServeCommandTest.Service service;
    private static byte[] png;

    @BeforeAll
    static void startService() throws Exception {
        png = Files.readAllBytes(TestImages.write(TestImages.random(64, 64, 3, false, 8, TestImages.srgb(), 9), "png",
                dir.resolve("art.png")));
        // the default read timeout (60 s): what the guard bounds must not wait for it
        service = ServeCommandTest.start(dir.resolve("service.json"), "--max-jobs", "1");
    }

    @AfterAll
    static void stopService() throws Exception {
        ServeCommandTest.send(service, "POST", "/shutdown", null);
        assertEquals(0, service.exit().get());
    }

    /** An authorised GET /health that must be answered within {@code seconds}; returns the time it took. */
    private static double timedHealth(double seconds) throws Exception {
        long start = System.nanoTime();
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
                + "/health")).timeout(Duration.ofMillis(Math.round(seconds * 1000)))
                .header("Authorization", "Bearer " + service.token()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        return (System.nanoTime() - start) / 1e9;
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", service.port());
        socket.setSoTimeout(20_000);
        return socket;
    }

    /** Everything the service sends until it closes the connection (or 20 s pass), and how long that took. */
    private static String answer(Socket socket, long[] millis) {
        long start = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            socket.getInputStream().transferTo(out);
        } catch (IOException closedOrTimedOut) {
            // what arrived before counts; the time says which it was
        }
        millis[0] = (System.nanoTime() - start) / 1_000_000;
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void twoHundredClientsTricklingHeadersStallNobodyAndAreCutOffSoon() throws Exception {
        List<Socket> slow = new ArrayList<>();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = connect();
                s.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + service.port() + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            // a header byte every 200 ms from each: never a whole request
            trickle.scheduleAtFixedRate(() -> {
                for (Socket s : slow) {
                    try {
                        s.getOutputStream().write('x');
                    } catch (IOException closedByTheService) {
                        // expected once the header deadline has passed
                    }
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
            Thread.sleep(500);
            List<Double> seconds = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                seconds.add(timedHealth(3));
            }
            System.out.println("scrim serve: GET /health beside 200 header tricklers: " + seconds + " s");
            long[] millis = new long[1];
            for (Socket s : slow) {
                assertEquals("", answer(s, millis), "a request whose headers never end is not answered");
                assertTrue(millis[0] < LocalService.HEADER_MILLIS + 3000, "closed after " + millis[0] + " ms");
            }
        } finally {
            trickle.shutdownNow();
            for (Socket s : slow) {
                s.close();
            }
        }
        timedHealth(3);
    }

    @Test
    void aStalledUploadHoldsNoJobSlot() throws Exception {
        try (Socket stalled = connect()) {
            stalled.getOutputStream().write(("POST /protect?preset=low HTTP/1.1\r\nHost: 127.0.0.1:" + service.port()
                    + "\r\nAuthorization: Bearer " + service.token() + "\r\nContent-Length: 50000\r\n\r\n0123456789")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(300);
            assertEquals(0, ServeCommandTest.health(service).get("jobs").getAsInt(), "an upload is not a job");
            HttpResponse<byte[]> r = ServeCommandTest.send(service, "POST",
                    "/protect?preset=low&steps=1&decoy=pattern&no-verify=true", png);
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        }
        ServeCommandTest.awaitIdle(service);
    }

    /** Bodies arrive without a job slot, but only so many at once: the temp space they take is bounded. */
    @Test
    void uploadsAtOnceAreBounded() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                stalled.add(stalledUpload());
            }
            // an empty body takes an upload place for a moment (400, no image) until five stalled ones hold them all;
            // a stalled one that came in during that moment was refused (it has an answer): another takes its turn
            HttpResponse<byte[]> r = ServeCommandTest.send(service, "POST", "/protect", new byte[0]);
            for (int i = 0; i < 100 && r.statusCode() != 503; i++) {
                Thread.sleep(100);
                for (int k = 0; k < stalled.size(); k++) {
                    if (stalled.get(k).getInputStream().available() > 0) {
                        stalled.get(k).close();
                        stalled.set(k, stalledUpload());
                    }
                }
                r = ServeCommandTest.send(service, "POST", "/protect", new byte[0]);
            }
            assertEquals(503, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("busy, 5 uploads arriving (--max-jobs + 4); try again when one has arrived",
                    ServeCommandTest.error(r));
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
        HttpResponse<byte[]> r = ServeCommandTest.send(service, "POST", "/protect", new byte[0]);
        for (int i = 0; i < 100 && r.statusCode() == 503; i++) {
            Thread.sleep(100);
            r = ServeCommandTest.send(service, "POST", "/protect", new byte[0]);
        }
        assertEquals("no image in the request body", ServeCommandTest.error(r), "the places came back");
    }

    /** An upload that sends its headers and 4 bytes of the 50000 it declares, then nothing. */
    private Socket stalledUpload() throws Exception {
        Socket s = connect();
        s.getOutputStream().write(("POST /protect HTTP/1.1\r\nHost: 127.0.0.1:" + service.port()
                + "\r\nAuthorization: Bearer " + service.token() + "\r\nContent-Length: 50000\r\n\r\n0123")
                .getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** A body declared and never sent: the answer comes at once, the connection is closed soon after. */
    @Test
    void answersThatNeedNoBodyDoNotWaitForOne() throws Exception {
        for (String[] c : List.of(new String[] {"POST /protect", "", "401"},
                new String[] {"GET /health", "Authorization: Bearer " + service.token() + "\r\n", "200"},
                new String[] {"GET /elsewhere", "Authorization: Bearer " + service.token() + "\r\n", "404"})) {
            try (Socket s = connect()) {
                s.getOutputStream().write((c[0] + " HTTP/1.1\r\nHost: 127.0.0.1:" + service.port() + "\r\n" + c[1]
                        + "Content-Length: 100000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                long[] millis = new long[1];
                String answer = answer(s, millis);
                assertTrue(answer.startsWith("HTTP/1.1 " + c[2]), c[0] + ": " + answer);
                assertTrue(millis[0] < 5000, c[0] + ": the connection was closed after " + millis[0] + " ms");
            }
        }
    }

    @Test
    void onlyTheLoopbackNameWithThisPortIsAcceptedAsHost() throws Exception {
        int port = service.port();
        for (String host : List.of("evil.example:" + port, "127.0.0.1", "localhost:" + (port + 1),
                "127.0.0.1:" + port + ".evil.example")) {
            String answer = raw("GET /health HTTP/1.1\r\nHost: " + host + "\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 403"), host + ": " + answer);
            assertTrue(answer.contains("Host '" + host + "' is not this service: send 'Host: 127.0.0.1:" + port),
                    answer);
        }
        assertTrue(raw("GET /health HTTP/1.0\r\n").startsWith("HTTP/1.1 403"), "no Host at all");
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port)) {
            String answer = raw("GET /health HTTP/1.1\r\nHost: " + host + "\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200"), host + ": " + answer);
        }
    }

    private static String raw(String head) throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write((head + "Connection: close\r\nAuthorization: Bearer " + service.token()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return answer(s, new long[1]);
        }
    }

    @Test
    void anImageScrimProtectedAlreadyNeedsForce() throws Exception {
        HttpResponse<byte[]> first = ServeCommandTest.send(service, "POST",
                "/protect?preset=low&steps=1&decoy=pattern&no-verify=true", png);
        assertEquals(200, first.statusCode(), new String(first.body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> again = ServeCommandTest.send(service, "POST",
                "/protect?preset=low&steps=1&decoy=pattern&no-verify=true", first.body());
        assertEquals(409, again.statusCode());
        assertTrue(ServeCommandTest.error(again).startsWith("the image: Scrim protected this file already (mask, "
                + "preset low); protecting it again stacks"), ServeCommandTest.error(again));
        assertTrue(ServeCommandTest.error(again).endsWith("or send force=true"), ServeCommandTest.error(again));
        assertEquals(200, ServeCommandTest.send(service, "POST",
                "/protect?preset=low&steps=1&decoy=pattern&no-verify=true&force=true", first.body()).statusCode());
        ServeCommandTest.awaitIdle(service);
    }

    @Test
    void webpIsRefusedWithoutNamingAServerPath() throws Exception {
        HttpResponse<byte[]> r = ServeCommandTest.send(service, "POST", "/protect?format=webp", png);
        assertEquals(400, r.statusCode());
        String message = ServeCommandTest.error(r);
        assertEquals("format: 'webp' is not one of png, jpg, jpeg, jpe, jfif, tif, tiff (the formats Scrim writes)",
                message);
    }

    @Test
    void aStateFileThatIsNotAServicesIsLeftAloneAndNamed() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.json"), "my notes\n");
        StringWriter err = new StringWriter();
        int exit = ScrimCommand.commandLine().setErr(new PrintWriter(err)).execute("serve", "--state-file",
                notes.toString());
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains("--state-file " + notes + " exists and is not a Scrim service's state "
                + "file"), err.toString());
        assertEquals("my notes\n", Files.readString(notes));
    }

    /** A second service given a live service's state file is refused; the live one's file stays as it was. */
    @Test
    void aSecondServiceDoesNotTakeOverALiveServicesStateFile() throws Exception {
        String before = Files.readString(service.stateFile());
        StringWriter err = new StringWriter();
        int exit = ScrimCommand.commandLine().setErr(new PrintWriter(err)).execute("serve", "--state-file",
                service.stateFile().toString());
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains("a Scrim service is already running with state file "
                + service.stateFile()), err.toString());
        assertEquals(before, Files.readString(service.stateFile()));
        timedHealth(3);
    }

    /** Without format=, the answer is in the format sent; job and format are each given once. */
    @Test
    void aJpegComesBackAsJpegAndARepeatedJobIsRefused() throws Exception {
        byte[] jpeg = Files.readAllBytes(TestImages.write(TestImages.smooth(64, 48, TestImages.srgb()), "jpeg",
                dir.resolve("art.jpg")));
        HttpResponse<byte[]> r = ServeCommandTest.send(service, "POST",
                "/protect?steps=1&no-verify=true&decoy=pattern", jpeg);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(0xFFD8, (r.body()[0] & 0xFF) << 8 | (r.body()[1] & 0xFF), "a JPEG's start of image");

        r = ServeCommandTest.send(service, "POST", "/protect?job=a&job=b&steps=1", png);
        assertEquals(400, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("job is given twice"));
    }
}
