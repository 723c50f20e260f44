package dev.qf2.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every layer for a batch of sequences, so that each decode step runs one position.
 *
 * <p>Sequences of different lengths are left-padded: row b's first {@code padding[b]} slots hold no
 * token and are masked out. Slot j of row b has position {@code j - padding[b]}.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;   // per layer (B, KV, S, hd)
    private final NDArray[] values; // per layer (B, KV, S, hd)
    private int[] padding;
    private int length;

    KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Number of sequences in the batch; 0 before the prefill. */
    public int batchSize() {
        return padding == null ? 0 : padding.length;
    }

    /** Number of slots S held per sequence, padding included. */
    public int length() {
        return length;
    }

    /** Left padding of each row. */
    int[] padding() {
        return padding;
    }

    void start(int[] rowPadding) {
        if (padding != null) {
            throw new IllegalStateException("this cache already holds a prefill; use a new cache");
        }
        this.padding = rowPadding.clone();
    }

    NDArray keys(int layer) {
        return keys[layer];
    }

    NDArray values(int layer) {
        return values[layer];
    }

    /** Replaces layer {@code layer}'s keys and values, taking ownership of the new arrays. */
    void put(int layer, NDArray newKeys, NDArray newValues) {
        newKeys.attach(manager);
        newValues.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = newKeys;
        values[layer] = newValues;
    }

    void advance(int positions) {
        length += positions;
    }

    @Override
    public void close() {
        manager.close();
    }
}
