package io.mirrorfs.store;

import java.util.List;

/** One page of a listing; {@code truncated} says whether a next page may exist after the last key. */
public record ListPage(List<ObjectInfo> objects, boolean truncated) {

    public ListPage {
        objects = List.copyOf(objects);
    }

    /** The cursor for the next page, or null when there is none. */
    public String nextStartAfter() {
        return truncated && !objects.isEmpty() ? objects.get(objects.size() - 1).key() : null;
    }
}
