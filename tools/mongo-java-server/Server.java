// The second MongoDB-wire server of the test stack: mongo-java-server with its memory backend
// on 127.0.0.1 (TCP only), started and driven by scripts/mongo-server.sh.
//   java Server DIR    binds a free port and writes it to DIR/port, then obeys the lines written
//                      to the FIFO DIR/control: "pause" closes the listener and every connection
//                      but keeps the data, "resume" listens on the same port again, "stop"
//                      exits. After each it writes "running", "paused" or "stopped" to DIR/state.
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

public final class Server {
    /** The memory backend outlives a paused server: closing it is left to the exit. */
    static final class KeptBackend extends MemoryBackend {
        @Override
        public void close() {}
    }

    static void write(Path dir, String name, String text) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, text + "\n");
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        KeptBackend backend = new KeptBackend();
        MongoServer server = new MongoServer(backend);
        int port = server.bind().getPort();
        write(dir, "port", Integer.toString(port));
        write(dir, "state", "running");
        for (;;) {
            // Each writer opens the FIFO, writes a line and closes it: read to the end, reopen.
            try (BufferedReader in = Files.newBufferedReader(dir.resolve("control"))) {
                for (String line; (line = in.readLine()) != null;) {
                    switch (line.trim()) {
                    case "pause":
                        if (server != null)
                            server.shutdownNow();
                        server = null;
                        write(dir, "state", "paused");
                        break;
                    case "resume":
                        if (server == null) {
                            server = new MongoServer(backend);
                            server.bind("127.0.0.1", port);
                        }
                        write(dir, "state", "running");
                        break;
                    case "stop":
                        if (server != null)
                            server.shutdownNow();
                        write(dir, "state", "stopped");
                        System.exit(0);
                        break;
                    default:
                        System.err.println("mongo-java-server: unknown command " + line);
                    }
                }
            }
        }
    }
}
