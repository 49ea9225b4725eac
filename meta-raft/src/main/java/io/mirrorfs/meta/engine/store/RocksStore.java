package io.mirrorfs.meta.engine.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** The RocksDB database with one column family per {@link Cf}. Thread-safe, like RocksDB itself. */
public final class RocksStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final Map<Cf, ColumnFamilyHandle> handles = new EnumMap<>(Cf.class);
    private final List<ColumnFamilyHandle> allHandles;
    private final WriteOptions writeOptions = new WriteOptions();

    private RocksStore(RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions, List<ColumnFamilyHandle> all) {
        this.db = db;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.allHandles = all;
        // all.get(0) is RocksDB's mandatory "default" family, which the engine leaves empty.
        for (Cf cf : Cf.values()) {
            handles.put(cf, all.get(cf.ordinal() + 1));
        }
    }

    public static RocksStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (Cf cf : Cf.values()) {
            descriptors.add(new ColumnFamilyDescriptor(cf.nameBytes(), cfOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            return new RocksStore(db, dbOptions, cfOptions, handles);
        } catch (RocksDBException e) {
            dbOptions.close();
            cfOptions.close();
            throw new IOException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Reads the live, latest state. */
    public StateReader live() {
        return new View(null);
    }

    /** A consistent point-in-time view; close it when done. */
    public SnapshotView snapshot() {
        return new SnapshotView();
    }

    /** Writes all rows atomically. */
    public void write(List<Row> rows) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            for (Row row : rows) {
                if (row.isDelete()) {
                    batch.delete(handles.get(row.cf()), row.key());
                } else {
                    batch.put(handles.get(row.cf()), row.key(), row.value());
                }
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new IOException("RocksDB write failed: " + e.getMessage(), e);
        }
    }

    /** Flushes memtables and hard-links a consistent copy of the database into {@code target}. */
    public void checkpoint(Path target) throws IOException {
        if (Files.exists(target)) {
            throw new IOException("checkpoint target already exists: " + target);
        }
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
                Checkpoint checkpoint = Checkpoint.create(db)) {
            db.flush(flush, allHandles);
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new IOException("RocksDB checkpoint to " + target + " failed: " + e.getMessage(), e);
        }
    }

    /** SHA-256 over every family (except those excluded) in a fixed order: name, then rows in key order. */
    public byte[] digest(Set<Cf> excluded) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (SnapshotView view = snapshot()) {
            for (Cf cf : Cf.values()) {
                if (excluded.contains(cf)) {
                    continue;
                }
                sha.update(cf.nameBytes());
                try (RocksIterator it = db.newIterator(handles.get(cf), view.readOptions)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        updateWithLength(sha, it.key());
                        updateWithLength(sha, it.value());
                    }
                }
            }
        }
        return sha.digest();
    }

    private static void updateWithLength(MessageDigest sha, byte[] bytes) {
        sha.update(Keys.u64(bytes.length));
        sha.update(bytes);
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle handle : allHandles) {
            handle.close();
        }
        db.close();
        writeOptions.close();
        dbOptions.close();
        cfOptions.close();
    }

    /** A point-in-time reader backed by a RocksDB snapshot. */
    public final class SnapshotView extends View implements AutoCloseable {
        private final Snapshot snapshot;

        private SnapshotView() {
            this(db.getSnapshot());
        }

        private SnapshotView(Snapshot snapshot) {
            super(new ReadOptions().setSnapshot(snapshot));
            this.snapshot = snapshot;
        }

        @Override
        public void close() {
            readOptions.close();
            db.releaseSnapshot(snapshot);
        }
    }

    private class View implements StateReader {
        final ReadOptions readOptions;

        View(ReadOptions readOptions) {
            this.readOptions = readOptions == null ? new ReadOptions() : readOptions;
        }

        @Override
        public byte[] get(Cf cf, byte[] key) {
            try {
                return db.get(handles.get(cf), readOptions, key);
            } catch (RocksDBException e) {
                throw new StoreException("RocksDB get failed in " + cf.columnName(), e);
            }
        }

        @Override
        public List<KeyValue> scan(Cf cf, byte[] prefix, byte[] after, int limit) {
            assert limit >= 0;
            List<KeyValue> out = new ArrayList<>();
            try (RocksIterator it = db.newIterator(handles.get(cf), readOptions)) {
                if (after != null) {
                    it.seek(after);
                    if (it.isValid() && java.util.Arrays.equals(it.key(), after)) {
                        it.next();
                    }
                } else {
                    it.seek(prefix);
                }
                for (; it.isValid() && out.size() < limit; it.next()) {
                    byte[] key = it.key();
                    if (!Keys.hasPrefix(key, prefix)) {
                        break;
                    }
                    out.add(new KeyValue(key, it.value()));
                }
                it.status();
            } catch (RocksDBException e) {
                throw new StoreException("RocksDB scan failed in " + cf.columnName(), e);
            }
            return out;
        }
    }
}
