package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.AtomicFile;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.checkpoint.Qwen2Config;
import dev.qf2.learn.UpdateRule;
import dev.qf2.model.FiringBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** QFt: trains the layers around one stock block while it is blended into a firing block. */
@Command(name = "qft", mixinStandardHelpOptions = true,
        description = {"Convert one feed-forward block of a checkpoint into a firing block by training: the layer "
                + "outputs alpha * (x + mlp(h)) + (1 - alpha) * down(sigmoid(beta * up(h))) with alpha = coeff^step "
                + "(0 once below 0.01), while only the named layers train (AdamW, clipping 1.0).",
                "The output is a checkpoint whose config.json records qflayer, qfbeta and qfcoeff. Defaults are the "
                + "reference's: layers qf-layer - 1 .. qf-layer + 1, beta 1000, coeff 0.99, lr 5e-5, batch 1, "
                + "one epoch, loss over every token."})
final class QftCommand extends TrainCommand {

    @Option(names = "--layers", split = ",", paramLabel = "N,N,...",
            description = "layers that train (default: the firing layer and its two neighbours)")
    List<Integer> layers;

    @Option(names = "--qf-layer", paramLabel = "N",
            description = "0-based layer that becomes the firing block (default: config.json qflayer, else 23)")
    Integer qfLayer;

    @Option(names = "--beta", paramLabel = "X", defaultValue = "1000",
            description = "steepness of the firing sigmoid (default: ${DEFAULT-VALUE})")
    double beta;

    @Option(names = "--coeff", paramLabel = "X", defaultValue = "0.99",
            description = "per-step decay of the stock path's weight (default: ${DEFAULT-VALUE})")
    double coeff;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "5e-5", description = "default: ${DEFAULT-VALUE}")
    double lr;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--loss", paramLabel = "all|answer", defaultValue = "all",
            description = "targets the loss counts: every token, or the answer's (default: ${DEFAULT-VALUE})")
    String loss;

    @Option(names = "--default-rule", paramLabel = "NAME",
            description = "record in the output's config.json (qfrule) the update rule that learning should use on "
                    + "this checkpoint by default: published, normalized, least-squares, whitened, anchored or focused")
    String defaultRule;

    @Option(names = "--default-strength", paramLabel = "X",
            description = "the strength recorded with --default-rule (qfstrength; default: the rule's own)")
    Double defaultStrength;

    @Override
    public Integer call() {
        UpdateRule rule = defaultRule != null ? UpdateRule.parse(defaultRule) : null;
        if (defaultStrength != null && !(defaultStrength > 0 && Double.isFinite(defaultStrength))) {
            throw new Qf2Exception("--default-strength must be a positive number, got " + defaultStrength);
        }
        int status = super.call();
        if (rule != null) {
            Path file = out.resolve(Qwen2Config.FILE_NAME);
            Qwen2Config config = Qwen2Config.load(file).withDefaultRule(rule.label(), defaultStrength);
            AtomicFile.writeString(file, config.toJsonString());
        }
        return status;
    }

    @Override
    String task() {
        return "qft";
    }

    private int firingLayer(ModelDirectory dir) {
        return qfLayer != null ? qfLayer : dir.config().qflayer().orElse(FiringBlock.DEFAULT_LAYER);
    }

    @Override
    List<Integer> layers(ModelDirectory dir) {
        if (layers != null) {
            return List.copyOf(layers);
        }
        int qf = firingLayer(dir);
        List<Integer> around = new ArrayList<>();
        for (int layer = qf - 1; layer <= qf + 1; layer++) {
            if (layer >= 0 && layer < dir.config().numHiddenLayers()) {
                around.add(layer);
            }
        }
        return around;
    }

    @Override
    FiringBlock block(ModelDirectory dir) {
        if (!(beta > 0)) {
            throw new Qf2Exception("--beta must be a positive number, got " + beta);
        }
        int layer = firingLayer(dir);
        if (layer < 0 || layer >= dir.config().numHiddenLayers()) {
            throw new Qf2Exception("--qf-layer " + layer + " does not exist in " + dir.dir()
                    + ": the model has " + dir.config().numHiddenLayers() + " layers (0.."
                    + (dir.config().numHiddenLayers() - 1) + ")");
        }
        return FiringBlock.at(layer, beta);
    }

    @Override
    double lr() {
        return lr;
    }

    @Override
    int batch() {
        return batch;
    }

    @Override
    String loss() {
        return loss;
    }

    @Override
    double coeff() {
        return coeff;
    }
}
