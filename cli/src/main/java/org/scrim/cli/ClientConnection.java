package org.scrim.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Whether the client of a request is still there while its job runs. The JDK's HTTP server reads nothing from a
 * connection while its handler works, and offers no way to look at the socket, so a client that closes its end
 * would go unnoticed until the answer is written, minutes later. The kernel knows at once: Linux's socket tables
 * list the service's end of the connection as CLOSE_WAIT once the client has closed it, and drop it once the
 * client's system has reset it. Elsewhere (no {@code /proc/net/tcp}) nothing is known, and a job runs to its end.
 */
final class ClientConnection {
    /** The service's end of each connection, in both tables: a loopback socket may be an IPv6 one. */
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String ESTABLISHED = "01";

    private final int servicePort;
    private final int clientPort;

    ClientConnection(InetSocketAddress service, InetSocketAddress client) {
        this.servicePort = service.getPort();
        this.clientPort = client.getPort();
    }

    /**
     * False once the client has closed the connection or it is gone, true while it is open or when this system
     * does not say. The service listens on loopback only, so the two ports name the connection.
     */
    boolean open() {
        boolean readable = false;
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException | SecurityException unreadable) {
                continue;
            }
            readable = true;
            String state = stateIn(lines);
            if (state != null) {
                return state.equals(ESTABLISHED);
            }
        }
        return !readable;
    }

    /** The state of this connection's service end in one table ({@code sl local rem st ...}), or null. */
    private String stateIn(List<String> lines) {
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 3 && port(fields[1]) == servicePort && port(fields[2]) == clientPort) {
                return fields[3].toUpperCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** The port of an {@code ADDRESS:PORT} entry, both in hex; -1 when malformed. */
    private static int port(String entry) {
        int colon = entry.lastIndexOf(':');
        try {
            return colon < 0 ? -1 : Integer.parseInt(entry.substring(colon + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
