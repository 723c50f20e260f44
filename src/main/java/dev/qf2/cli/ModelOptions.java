package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.model.FiringBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import picocli.CommandLine.Option;

/** Options shared by every command that loads a model. */
final class ModelOptions {

    /** The model the project ships, relative to the installation directory. */
    static final String SHIPPED_MODEL = "models/qf2-small";

    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face Qwen2 model directory (default: the model shipped with qf2)")
    Path model;

    @Option(names = "--qf-layer", paramLabel = "N",
            description = "0-based layer of the firing block (default: config.json qflayer, else 23)")
    Integer qfLayer;

    @Option(names = "--beta", paramLabel = "X",
            description = "steepness of the firing block's sigmoid (default: config.json qfbeta, else 10)")
    Double beta;

    /** The installation directory, set by the launcher script; the working directory otherwise. */
    static Path home() {
        String home = System.getProperty("qf2.home");
        return home != null ? Paths.get(home) : Paths.get("").toAbsolutePath();
    }

    /** The shipped model, if it is there. */
    static Path shippedModel() {
        return home().resolve(SHIPPED_MODEL);
    }

    /** The model directory to use: --model, else the shipped model. */
    Path modelDir() {
        if (model != null) {
            return model;
        }
        Path shipped = shippedModel();
        if (Files.isDirectory(shipped)) {
            return shipped;
        }
        throw new Qf2Exception("no --model given and the shipped model is missing at " + shipped
                + ": pass --model DIR (a Hugging Face Qwen2 directory)");
    }

    ModelDirectory open() {
        return ModelDirectory.open(modelDir());
    }

    /** The firing block from the flags, else the checkpoint's fields, else the reference's layer 23 and beta 10. */
    FiringBlock firingBlock(ModelDirectory dir) {
        int layer = qfLayer != null ? qfLayer : dir.config().qflayer().orElse(FiringBlock.DEFAULT_LAYER);
        double b = beta != null ? beta : dir.config().qfbeta().orElse(FiringBlock.DEFAULT_BETA);
        if (!(b > 0)) {
            throw new Qf2Exception("--beta must be a positive number, got " + b);
        }
        if (layer < 0 || layer >= dir.config().numHiddenLayers()) {
            throw new Qf2Exception("--qf-layer " + layer + " does not exist in " + dir.dir() + ": the model has "
                    + dir.config().numHiddenLayers() + " layers (0.." + (dir.config().numHiddenLayers() - 1) + ")");
        }
        return FiringBlock.at(layer, b);
    }

    /** Whether the user or the checkpoint asks for the firing block. */
    boolean wantsFiringBlock(ModelDirectory dir) {
        return qfLayer != null || beta != null || dir.config().qflayer().isPresent();
    }
}
