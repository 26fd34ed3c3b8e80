package org.scrim.cli;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What {@code scrim serve} checks of a request before it does any work for it, and the deadlines that keep a slow
 * or silent client from holding a thread: the JDK server reads a request's headers, and the handler its body, with
 * blocking reads that have no timeout of their own.
 *
 * <p>A deadline interrupts the thread that reads; the socket is an interruptible channel, so the interrupt closes
 * the connection and ends the read. Deadlines are per service and per request, unlike the JDK server's
 * {@code sun.net.httpserver.maxReqTime}, which is one JVM-wide setting timing headers and body together.
 */
final class RequestGuard {
    private final String token;
    private final int port;
    private final long headerMillis;
    private final ScheduledExecutorService timer;
    private final ThreadLocal<Deadline> current = new ThreadLocal<>();

    RequestGuard(String token, int port, long headerMillis, ScheduledExecutorService timer) {
        this.token = token;
        this.port = port;
        this.headerMillis = headerMillis;
        this.timer = timer;
    }

    /**
     * The executor for the server: each connection's request runs under a deadline for its headers, which the
     * handler ends with {@link #headersReceived}.
     */
    Executor executor(Executor threads) {
        return task -> threads.execute(() -> {
            Deadline deadline = new Deadline(Thread.currentThread());
            current.set(deadline);
            deadline.arm(headerMillis);
            try {
                task.run();
            } finally {
                deadline.finish();
                current.remove();
            }
        });
    }

    /** Ends the header deadline; false when it has passed already and the connection is closed. */
    boolean headersReceived() {
        Deadline deadline = current.get();
        return deadline == null || deadline.disarm();
    }

    /** Closes this request's connection if it is still reading or writing after {@code millis}. */
    void within(long millis) {
        current.get().arm(millis);
    }

    /** Ends the deadline of {@link #within}; true when it had passed (and closed the connection). */
    boolean expired() {
        return !current.get().disarm();
    }

    /** Why the request is refused before anything else, or null: the Host header, then the token. */
    LocalService.Refusal refusal(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null || !isLoopbackHost(host)) {
            // A web page whose name is made to resolve to 127.0.0.1 (DNS rebinding) sends its own name here.
            return new LocalService.Refusal(403, "Host '" + (host == null ? "" : host) + "' is not this service: "
                    + "send 'Host: 127.0.0.1:" + port + "' or 'Host: localhost:" + port + "'");
        }
        String given = ex.getRequestHeaders().getFirst("Authorization");
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return new LocalService.Refusal(401, "missing or wrong token: send 'Authorization: Bearer TOKEN' with "
                    + "the token from the service's state file");
        }
        return null;
    }

    private boolean isLoopbackHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.equals("127.0.0.1:" + port) || h.equals("localhost:" + port);
    }

    /**
     * One request's deadline on the thread that serves it. The lock makes an expiry and the end of the task
     * exclusive, so an interrupt never reaches the thread's next task.
     */
    private final class Deadline {
        private final Thread thread;
        private ScheduledFuture<?> pending;
        /** Counts arms, so that a timer which fires as it is cancelled cannot end a later deadline. */
        private long generation;
        private boolean fired;
        private boolean finished;

        Deadline(Thread thread) {
            this.thread = thread;
        }

        synchronized void arm(long millis) {
            disarm();
            long armed = ++generation;
            pending = timer.schedule(() -> fire(armed), millis, TimeUnit.MILLISECONDS);
        }

        /** Stops the clock; false if it ran out first. */
        synchronized boolean disarm() {
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
            generation++;
            boolean ranOut = fired;
            fired = false;
            return !ranOut;
        }

        private synchronized void fire(long armed) {
            if (armed == generation && !finished) {
                fired = true;
                generation++;
                thread.interrupt();
            }
        }

        synchronized void finish() {
            disarm();
            finished = true;
            // a pooled thread goes back clean; the interrupted connection is closed already
            Thread.interrupted();
        }
    }
}
