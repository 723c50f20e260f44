package dev.qf2.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.AtomicFile;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.checkpoint.Qwen2Config;
import dev.qf2.checkpoint.RandomCheckpoint;
import dev.qf2.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a new Qwen2 checkpoint with random weights for a tokenizer, the starting point of pre-training. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write a Qwen2 checkpoint of the given sizes with seeded random weights (normal, std 0.02; "
                + "norms 1; tied embeddings) for the tokenizer in --tokenizer, ready for pretrain.")
final class InitCommand implements Callable<Integer> {

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
            description = "directory with tokenizer.json (and tokenizer_config.json), e.g. written by 'qf2 tokenizer'")
    Path tokenizer;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the new checkpoint")
    Path out;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "128", description = "default: ${DEFAULT-VALUE}")
    int hidden;

    @Option(names = "--intermediate", paramLabel = "I", defaultValue = "512", description = "default: ${DEFAULT-VALUE}")
    int intermediate;

    @Option(names = "--layers", paramLabel = "L", defaultValue = "4", description = "default: ${DEFAULT-VALUE}")
    int layers;

    @Option(names = "--heads", paramLabel = "N", defaultValue = "4", description = "default: ${DEFAULT-VALUE}")
    int heads;

    @Option(names = "--kv-heads", paramLabel = "N", defaultValue = "2", description = "default: ${DEFAULT-VALUE}")
    int kvHeads;

    @Option(names = "--max-positions", paramLabel = "N", defaultValue = "512",
            description = "max_position_embeddings (default: ${DEFAULT-VALUE})")
    int maxPositions;

    @Option(names = "--rope-theta", paramLabel = "X", defaultValue = "10000",
            description = "default: ${DEFAULT-VALUE}")
    double ropeTheta;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path tokenizerJson = tokenizer.resolve(ModelDirectory.TOKENIZER_FILE);
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new Qf2Exception("no " + ModelDirectory.TOKENIZER_FILE + " in " + tokenizer
                    + ": train one with 'qf2 tokenizer' or point --tokenizer at a model directory");
        }
        int vocab;
        Optional<Integer> bos;
        Optional<Integer> eos;
        try (Tokenizer t = Tokenizer.load(tokenizerJson)) {
            vocab = t.vocabSize();
            bos = t.tokenId("<|endoftext|>");
            eos = t.tokenId("<|im_end|>");
        }
        RandomCheckpoint.Shape shape = new RandomCheckpoint.Shape(out.getFileName().toString(), vocab, hidden,
                intermediate, layers, heads, kvHeads, maxPositions, ropeTheta, 1e-6, true);
        RandomCheckpoint.write(out, shape, seed, tokenizer);

        // the special tokens of this tokenizer, not Qwen2's
        ObjectNode config = Qwen2Config.load(out.resolve(Qwen2Config.FILE_NAME)).toJson();
        bos.ifPresent(id -> config.put("bos_token_id", id));
        eos.ifPresent(id -> config.put("eos_token_id", id));
        AtomicFile.writeString(out.resolve(Qwen2Config.FILE_NAME),
                Qwen2Config.fromJson(config, out.resolve(Qwen2Config.FILE_NAME)).toJsonString());
        spec.commandLine().getOut().printf("wrote %s: %d parameters, vocabulary %d, %d layers of width %d%n", out,
                shape.parameterCount(), vocab, layers, hidden);
        return 0;
    }
}
