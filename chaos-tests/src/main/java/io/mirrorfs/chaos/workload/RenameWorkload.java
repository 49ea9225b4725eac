package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.MetadataClient;
import io.mirrorfs.api.client.MetaOps;
import io.mirrorfs.api.client.RequestIds;
import io.mirrorfs.api.proto.FileType;
import io.mirrorfs.api.proto.MetaReply;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.OpType;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Files moved back and forth between two directories with renames, to check that a rename never loses
 * a file nor leaves it under two names (RenameConservationChecker). An item's identity is its inode;
 * names in the history are "A/name" or "B/name". One thread owns all items, so it knows where each one
 * is, except after an indeterminate rename: then it looks both places up (linearizable reads) and
 * retires the item if it finds it in neither (the rename may still be in flight).
 */
public final class RenameWorkload {
    public static final String SET_KEY = "rename-items";
    private static final int SETUP_PROCESS = 999;

    private final MetadataClient client;
    private final RequestIds ids;
    private final HistoryRecorder history;
    private final long[] dirs;
    private final String[] labels = {"A", "B"};
    private final long opTimeoutMillis;
    private final int thinkMillisMax;
    private final List<Item> items = new ArrayList<>();
    private final Map<String, String> initialNames = new HashMap<>();

    private static final class Item {
        final long inode;
        int dir;
        String name;
        int moves;
        boolean retired;

        Item(long inode, int dir, String name) {
            this.inode = inode;
            this.dir = dir;
            this.name = name;
        }
    }

    public RenameWorkload(MetadataClient client, RequestIds ids, HistoryRecorder history, long dirA, long dirB,
                          long opTimeoutMillis, int thinkMillisMax) {
        this.client = client;
        this.ids = ids;
        this.history = history;
        this.dirs = new long[] {dirA, dirB};
        this.opTimeoutMillis = opTimeoutMillis;
        this.thinkMillisMax = thinkMillisMax;
    }

    /** Creates {@code count} files in directory A, recorded as acknowledged ADDs. */
    public void createItems(Namespace ns, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            String name = "i" + i;
            HistoryRecorder.Pending p = history.invoke(SETUP_PROCESS, OpType.ADD, SET_KEY, "pending");
            long inode = ns.create(dirs[0], name, FileType.REGULAR);
            // The identity is only known once created; set-up runs before any fault, so it is always OK.
            p.okAs(Long.toString(inode));
            items.add(new Item(inode, 0, name));
            initialNames.put(Long.toString(inode), labels[0] + "/" + name);
        }
    }

    /** identity → the name it was created under (for the checker). */
    public Map<String, String> initialNames() {
        return Map.copyOf(initialNames);
    }

    public void run(int thread, Random random, BooleanSupplier stop) throws InterruptedException {
        int generation = 0;
        while (!stop.getAsBoolean()) {
            List<Item> live = items.stream().filter(i -> !i.retired).toList();
            if (live.isEmpty()) {
                return;
            }
            Item item = live.get(random.nextInt(live.size()));
            int to = 1 - item.dir;
            String newName = "i" + items.indexOf(item) + "." + (++item.moves);
            HistoryRecorder.Pending p = history.invoke(ProcessIds.of(thread, generation), OpType.RENAME,
                    Long.toString(item.inode), labels[to] + "/" + newName);
            Outcomes.Result<MetaReply> r = Outcomes.await(client.mutate(MetaOps.rename(ids.next(), MetaOps.ROOT,
                    dirs[item.dir], item.name, dirs[to], newName)), opTimeoutMillis);
            if (!r.answered()) {
                p.info(r.error());
                generation++;
                relocate(item, to, newName);
            } else if (r.value().getErrno() != 0) {
                Outcomes.failWithErrno(p, r.value().getErrno());
            } else {
                p.ok();
                item.dir = to;
                item.name = newName;
            }
            if (thinkMillisMax > 0) {
                Thread.sleep(random.nextInt(thinkMillisMax + 1));
            }
        }
    }

    /** After an indeterminate rename: where is the item now? Retires it if that cannot be told. */
    private void relocate(Item item, int to, String newName) throws InterruptedException {
        for (int[] place : new int[][] {{to, 1}, {item.dir, 0}}) {
            String name = place[1] == 1 ? newName : item.name;
            Outcomes.Result<MetaReply> r = Outcomes.await(client.query(MetaOps.lookup(MetaOps.ROOT, dirs[place[0]], name)),
                    opTimeoutMillis);
            if (!r.answered()) {
                item.retired = true;
                return;
            }
            if (r.value().getErrno() == 0 && r.value().getAttr().getInode() == item.inode) {
                item.dir = place[0];
                item.name = name;
                return;
            }
        }
        item.retired = true;
    }

    /** Both directories' listings as ("A/name", inode) pairs. */
    public List<Map.Entry<String, String>> finalListing(Namespace ns, Duration timeout) throws Exception {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (int d = 0; d < 2; d++) {
            for (Map.Entry<String, Long> e : ns.list(dirs[d], timeout)) {
                out.add(new AbstractMap.SimpleImmutableEntry<>(labels[d] + "/" + e.getKey(), Long.toString(e.getValue())));
            }
        }
        return out;
    }
}
