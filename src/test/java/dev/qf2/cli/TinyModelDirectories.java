package dev.qf2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.testing.TinyModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Tiny random Qwen2 model directories with a tokenizer, ready for every command. */
final class TinyModelDirectories {

    /** A layer of the tiny model (it has two) for the firing block. */
    static final String FIRING_LAYER = "1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyModelDirectories() {}

    /** Writes a tiny random checkpoint and the byte tokenizer into {@code dir}; the same seed, the same weights. */
    static Path write(Path dir, long seed) {
        return TinyModels.writeWithTokenizer(dir, seed);
    }

    /** Runs a command on a tiny model with the given store and the firing block at {@link #FIRING_LAYER}. */
    static CommandRun run(Path model, Path store, String command, String... args) {
        String[] all = new String[args.length + 7];
        all[0] = command;
        all[1] = "--model";
        all[2] = model.toString();
        all[3] = "--store";
        all[4] = store.toString();
        all[5] = "--qf-layer";
        all[6] = FIRING_LAYER;
        System.arraycopy(args, 0, all, 7, args.length);
        return CommandRun.of(all);
    }

    /** Changes the fields of {@code dir}'s config.json in place. */
    static void editConfig(Path dir, Consumer<ObjectNode> edit) {
        Path file = dir.resolve("config.json");
        try {
            ObjectNode config = (ObjectNode) JSON.readTree(file.toFile());
            edit.accept(config);
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
