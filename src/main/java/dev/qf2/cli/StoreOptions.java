package dev.qf2.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import picocli.CommandLine.Option;

/** Where learned facts are kept. */
final class StoreOptions {

    @Option(names = "--store", paramLabel = "DIR",
            description = "fact store directory (default: one per model under ~/.qf2/stores)")
    Path store;

    /** --store, else a directory derived from the model's absolute path. */
    Path storeDir(Path modelDir) {
        if (store != null) {
            return store;
        }
        Path absolute = modelDir.toAbsolutePath().normalize();
        String name = absolute.getFileName() == null ? "model" : absolute.getFileName().toString();
        return Paths.get(System.getProperty("user.home"), ".qf2", "stores",
                name + "-" + shortHash(absolute.toString()));
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
