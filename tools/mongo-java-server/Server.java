// The second MongoDB-wire server of the test stack: mongo-java-server with its memory backend
// on 127.0.0.1 (TCP only), started and driven by scripts/mongo-server.sh.
//
// One workaround, of the test stack only: mongo-java-server 1.47 uses a unique index only for a
// filter holding exactly the index's fields, so `{_id: X, snapshot_version: {$not: ...}}` (a
// guarded write) scans the collection, and N guarded writes cost N^2 (20,000 listings: 29 s
// instead of 1 s). MongoDB uses the index for any filter with an equality on its fields; here
// the unique indexes do the same: the positions come from the index's fields, and the whole
// filter is still matched against each document found.
//   java Server DIR    binds a free port and writes it to DIR/port, then obeys the lines written
//                      to the FIFO DIR/control: "pause" closes the listener and every connection
//                      but keeps the data, "resume" listens on the same port again, "stop"
//                      exits. After each it writes "running", "paused" or "stopped" to DIR/state.
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

public final class Server {
    /** A unique index that serves any filter with its fields, as MongoDB's do. */
    static final class UniqueIndex extends MemoryUniqueIndex {
        UniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
            super(name, keys, sparse);
        }

        /** The filter's conditions on the index's fields, or null without all of them. */
        private Document own(Document query) {
            Document own = new Document();
            for (String key : keySet()) {
                if (!query.containsKey(key))
                    return null;
                own.put(key, query.get(key));
            }
            return own;
        }

        @Override
        public synchronized boolean canHandle(Document query) {
            Document own = own(query);
            return own != null && super.canHandle(own);
        }

        @Override
        public synchronized Iterable<Integer> getPositions(Document query) {
            return super.getPositions(own(query));
        }
    }

    static final class Database extends MemoryDatabase {
        Database(String name, CursorRegistry cursors) {
            super(name, cursors);
        }

        @Override
        protected Index<Integer> openOrCreateUniqueIndex(String collection, String name,
                                                         List<IndexKey> keys, boolean sparse) {
            return new UniqueIndex(name, keys, sparse);
        }
    }

    /** The memory backend outlives a paused server: closing it is left to the exit. */
    static final class KeptBackend extends MemoryBackend {
        @Override
        public MemoryDatabase openOrCreateDatabase(String name) {
            return new Database(name, getCursorRegistry());
        }

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
