package dev.qf2.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.AtomicFile;
import dev.qf2.checkpoint.DType;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.checkpoint.Qwen2Config;
import dev.qf2.checkpoint.SafeTensorsFile;
import dev.qf2.checkpoint.SafeTensorsWriter;
import dev.qf2.checkpoint.TensorData;
import dev.qf2.checkpoint.TensorStore;
import dev.qf2.model.Qwen2Model;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a Qwen2 checkpoint with AdamW: the stock model (pre-training), or the conversion of one stock block into
 * a firing block (QFt), where the layer blends {@code alpha * (x + mlp(h)) + (1 - alpha) * firing(h)} with
 * {@code alpha} decaying by the step.
 *
 * <p>The output directory is a Hugging Face checkpoint that every command loads, plus
 * {@value #STATE_FILE}, which holds everything a resumed run needs: the step, the trained parameters and the
 * optimizer's moments. Each save replaces that file atomically before the checkpoint's weights, so an interrupted
 * run always leaves the last saved state whole, and a resumed run repeats exactly the steps it would have taken.
 * {@value #LOG_FILE} records one line per measurement.
 */
public final class Trainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** The resumable state in the output directory. */
    public static final String STATE_FILE = "trainer_state.safetensors";

    /** The training log in the output directory, one JSON object per line. */
    public static final String LOG_FILE = "training_log.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARAMETER = "parameter/";
    private static final String FIRST_MOMENT = "adam_m/";
    private static final String SECOND_MOMENT = "adam_v/";

    /** What one optimizer step did. */
    public record StepReport(long step, double loss, double alpha, double lr, double gradientNorm, long tokens,
            double seconds) {}

    /** A measurement of the loss on the validation rows, with the block as inference uses it. */
    public record Evaluation(long step, double trainingLoss, double validationLoss, double alpha,
            double tokensPerSecond, double elapsedSeconds) {}

    /** Follows a run; every method is called on the training thread. */
    public interface Listener {
        /** Before the first step of this process: the step it starts at and the run's last step. */
        default void started(long firstStep, long steps) {}

        /** After every optimizer step. */
        default void stepped(StepReport report) {}

        /** After every measurement of the validation loss. */
        default void evaluated(Evaluation evaluation) {}

        /** After every saved checkpoint. */
        default void saved(long steps, Path dir) {}
    }

    private final ModelDirectory source;
    private final Path out;
    private final TrainingOptions options;
    private final Qwen2Model model;
    private final Map<String, NDArray> trainable;
    private final AdamW optimizer;

    private Trainer(ModelDirectory source, Path out, TrainingOptions options, Qwen2Model model,
            Map<String, NDArray> trainable, AdamW optimizer) {
        this.source = source;
        this.out = out;
        this.options = options;
        this.model = model;
        this.trainable = trainable;
        this.optimizer = optimizer;
    }

    /**
     * Prepares a new run from {@code source} into {@code out}, which must not exist or be empty.
     *
     * @throws Qf2Exception if {@code out} holds files, a layer does not exist, or nothing would train
     */
    public static Trainer start(ModelDirectory source, Path out, TrainingOptions options) {
        if (Files.isDirectory(out) && !isEmpty(out)) {
            throw new Qf2Exception(out + " already holds files: choose a new --out directory, or add --resume to "
                    + "continue the run saved there");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new Qf2Exception(out + " is a file: choose a new --out directory");
        }
        checkLayers(source.config(), options);
        try {
            Files.createDirectories(out);
            source.copyCompanionFiles(out);
        } catch (IOException e) {
            throw new Qf2Exception("cannot create " + out + " (" + e.getMessage() + "): check the path", e);
        }
        return open(source, out, options);
    }

    /**
     * Continues the run saved in {@code out}. The options must be those the run started with; only the number of
     * steps and the measurement and save intervals may differ.
     *
     * @throws Qf2Exception if {@code out} holds no saved state, or it was made from another model or other options
     */
    public static Trainer resume(ModelDirectory source, Path out, TrainingOptions options) {
        Path stateFile = out.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile)) {
            throw new Qf2Exception("no saved run in " + out + " (" + STATE_FILE + " is missing): start a new run "
                    + "without --resume");
        }
        checkLayers(source.config(), options);
        try (SafeTensorsFile state = SafeTensorsFile.open(stateFile)) {
            Map<String, String> meta = state.metadata();
            String saved = meta.getOrDefault("options", "{}");
            List<String> differences = differences(readOptions(saved), optionsJson(options));
            if (!differences.isEmpty()) {
                throw new Qf2Exception("the run in " + out + " was started with other settings (" + String.join(", ",
                        differences) + "): resume with the settings it was started with");
            }
            String fingerprint = sourceFingerprint(source);
            if (!fingerprint.equals(meta.get("source_fingerprint"))) {
                throw new Qf2Exception("the run in " + out + " was started from another model than " + source.dir()
                        + ": resume with the --model it was started from");
            }
            Trainer trainer = open(source, out, options);
            try {
                Map<String, float[]> first = new LinkedHashMap<>();
                Map<String, float[]> second = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : trainer.trainable.entrySet()) {
                    AdamW.assign(e.getValue(), state.readFloats(PARAMETER + e.getKey()));
                    first.put(e.getKey(), state.readFloats(FIRST_MOMENT + e.getKey()));
                    second.put(e.getKey(), state.readFloats(SECOND_MOMENT + e.getKey()));
                }
                trainer.optimizer.restore(Long.parseLong(meta.get("steps")), first, second);
                trainer.truncateLog(trainer.optimizer.steps());
                return trainer;
            } catch (RuntimeException e) {
                trainer.close();
                throw e;
            }
        }
    }

    private static Trainer open(ModelDirectory source, Path out, TrainingOptions options) {
        Qwen2Model model = Qwen2Model.load(source);
        try {
            Map<String, NDArray> trainable = model.makeTrainable(options::trains);
            if (trainable.isEmpty()) {
                throw new Qf2Exception("no parameter of " + source.dir() + " would train: check --layers");
            }
            AdamW optimizer = new AdamW(options.adam(), model.manager(), trainable);
            return new Trainer(source, out, options, model, trainable, optimizer);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static void checkLayers(Qwen2Config config, TrainingOptions options) {
        int layers = config.numHiddenLayers();
        for (int layer : options.layers()) {
            if (layer < 0 || layer >= layers) {
                throw new Qf2Exception("layer " + layer + " does not exist: the model has " + layers + " layers (0.."
                        + (layers - 1) + "); fix --layers");
            }
        }
        if (options.block() != null && options.block().layer() >= layers) {
            throw new Qf2Exception("--qf-layer " + options.block().layer() + " does not exist: the model has "
                    + layers + " layers (0.." + (layers - 1) + ")");
        }
    }

    /** The model being trained. */
    public Qwen2Model model() {
        return model;
    }

    /** Optimizer steps already taken. */
    public long stepsTaken() {
        return optimizer.steps();
    }

    /** Number of parameters that train. */
    public long trainableParameters() {
        return trainable.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /**
     * Runs the remaining steps: from the saved step (0 for a new run) to the options' last step, measuring the
     * validation loss and saving as the options say, and saving after the last step.
     *
     * @param train the training rows, in the order the data order permutes
     * @param validation rows for the validation loss; may be empty
     */
    public void run(List<TrainingExample> train, List<TrainingExample> validation, Listener listener) {
        BatchOrder order = new BatchOrder(train, options.batchSize(), options.seed());
        long first = optimizer.steps();
        LOG.info("training {} from step {} to {}: {} trainable parameters, {} rows, batch {}", source.dir(), first,
                options.steps(), trainableParameters(), train.size(), options.batchSize());
        listener.started(first, options.steps());
        long start = System.nanoTime();
        long tokens = 0;
        double lossSum = 0;
        int lossCount = 0;
        for (long step = first; step < options.steps(); step++) {
            StepReport report = step(new TrainingBatch(order.batch(step), options.loss()), step,
                    options.learningRate(step));
            tokens += report.tokens();
            lossSum += report.loss();
            lossCount++;
            listener.stepped(report);
            long done = step + 1;
            boolean last = done == options.steps();
            boolean evaluate = last || options.evalEvery() > 0 && done % options.evalEvery() == 0;
            if (evaluate) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                double validationLoss = validation.isEmpty() ? Double.NaN : validationLoss(validation);
                Evaluation evaluation = new Evaluation(done, lossSum / lossCount, validationLoss,
                        options.alpha(done), tokens / elapsed, elapsed);
                appendLog(evaluation);
                listener.evaluated(evaluation);
                lossSum = 0;
                lossCount = 0;
            }
            if (last || options.saveEvery() > 0 && done % options.saveEvery() == 0) {
                save();
                listener.saved(done, out);
            }
        }
    }

    /**
     * One optimizer step at global step {@code step}: the blend's alpha for that step, the loss and its gradients,
     * clipping, AdamW, and the gradients cleared for the next step.
     */
    StepReport step(TrainingBatch batch, long step, double lr) {
        long start = System.nanoTime();
        double alpha = options.alpha(step);
        if (options.block() != null) {
            model.setFiringBlock(options.block().withAlpha(alpha));
        }
        double loss;
        double norm;
        try (NDManager scratch = model.manager().newSubManager()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.trainingLogits(scratch, batch.sequences());
                NDArray value = LanguageModelLoss.mean(logits, batch);
                collector.backward(value);
                loss = value.getFloat();
            }
            if (!Double.isFinite(loss)) {
                throw new Qf2Exception("the loss became " + loss + " at step " + step + ": lower --lr, or resume "
                        + "from the last saved step with a smaller one");
            }
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(scratch);
                gradients.put(e.getKey(), g);
            }
            norm = GradientClipping.clip(gradients.values(), options.maxGradNorm());
            optimizer.step(trainable, gradients, lr);
            for (NDArray p : trainable.values()) {
                JniUtils.zeroGrad((PtNDArray) p);
            }
        }
        return new StepReport(step, loss, alpha, lr, norm, batch.tokens(), (System.nanoTime() - start) / 1e9);
    }

    /**
     * The mean loss over every counted target of {@code rows}, with the firing block as inference uses it (the
     * stock path dropped), without recording gradients.
     */
    public double validationLoss(List<TrainingExample> rows) {
        if (options.block() != null) {
            model.setFiringBlock(options.block().withAlpha(0));
        }
        double sum = 0;
        long counted = 0;
        for (int from = 0; from < rows.size(); from += options.batchSize()) {
            TrainingBatch batch = new TrainingBatch(rows.subList(from, Math.min(rows.size(),
                    from + options.batchSize())), options.loss());
            if (batch.counted() == 0) {
                continue;
            }
            try (NDManager scratch = model.manager().newSubManager()) {
                NDArray logits = model.trainingLogits(scratch, batch.sequences());
                sum += LanguageModelLoss.mean(logits, batch).getFloat() * batch.counted();
                counted += batch.counted();
            }
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }

    /**
     * Saves the run: first the resumable state, then the checkpoint's weights and config.json, each file replaced
     * atomically. The tokenizer and the other companion files of the source were copied when the run started.
     */
    public void save() {
        long start = System.nanoTime();
        long steps = optimizer.steps();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("steps", Long.toString(steps));
        meta.put("options", optionsJson(options).toString());
        meta.put("source", source.dir().toAbsolutePath().toString());
        meta.put("source_fingerprint", sourceFingerprint(source));
        List<TensorData> state = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            state.add(tensor(PARAMETER + e.getKey(), e.getValue()));
            state.add(tensor(FIRST_MOMENT + e.getKey(), optimizer.firstMoments().get(e.getKey())));
            state.add(tensor(SECOND_MOMENT + e.getKey(), optimizer.secondMoments().get(e.getKey())));
        }
        SafeTensorsWriter.writeInOrder(out.resolve(STATE_FILE), meta, state);

        List<TensorData> weights = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            weights.add(tensor(e.getKey(), e.getValue()));
        }
        SafeTensorsWriter.writeInOrder(out.resolve(TensorStore.SINGLE_FILE), Map.of("format", "pt"), weights);
        Qwen2Config config = source.config();
        if (options.block() != null) {
            config = config.withQf(options.block().layer(), options.block().beta(), options.coeff());
        }
        AtomicFile.writeString(out.resolve(Qwen2Config.FILE_NAME), config.toJsonString());
        LOG.info("saved step {} to {} in {} s", steps, out, String.format("%.2f", (System.nanoTime() - start) / 1e9));
    }

    private static TensorData tensor(String name, NDArray array) {
        long[] shape = array.getShape().getShape();
        return TensorData.streamed(name, DType.F32, shape, channel -> {
            java.nio.ByteBuffer bytes = array.toByteBuffer();
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        });
    }

    private void appendLog(Evaluation e) {
        ObjectNode line = JSON.createObjectNode();
        line.put("step", e.step());
        line.put("training_loss", e.trainingLoss());
        if (Double.isFinite(e.validationLoss())) {
            line.put("validation_loss", e.validationLoss());
        }
        line.put("alpha", e.alpha());
        line.put("tokens_per_second", Math.round(e.tokensPerSecond()));
        line.put("elapsed_seconds", Math.round(e.elapsedSeconds() * 10) / 10.0);
        try {
            Files.writeString(out.resolve(LOG_FILE), line + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new Qf2Exception("cannot append to " + out.resolve(LOG_FILE) + " (" + ex.getMessage() + ")", ex);
        }
    }

    /** Drops log lines of steps after the saved state, written before an interruption. */
    private void truncateLog(long steps) {
        Path log = out.resolve(LOG_FILE);
        if (!Files.isRegularFile(log)) {
            return;
        }
        try {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                try {
                    if (!line.isBlank() && JSON.readTree(line).path("step").asLong(Long.MAX_VALUE) <= steps) {
                        kept.add(line);
                    }
                } catch (IOException malformed) {
                    // a line cut short by the interruption
                }
            }
            AtomicFile.writeString(log, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        } catch (IOException e) {
            throw new Qf2Exception("cannot read " + log + " (" + e.getMessage() + ")", e);
        }
    }

    /** The settings that determine the arithmetic of the run, as JSON. */
    static ObjectNode optionsJson(TrainingOptions o) {
        ObjectNode json = JSON.createObjectNode();
        json.set("layers", JSON.valueToTree(o.layers()));
        if (o.block() != null) {
            json.put("qf_layer", o.block().layer());
            json.put("beta", o.block().beta());
            json.put("coeff", o.coeff());
        }
        json.put("lr", o.lr());
        json.put("schedule", o.schedule().label());
        json.put("warmup_steps", o.warmupSteps());
        json.put("batch_size", o.batchSize());
        json.put("seed", o.seed());
        json.put("loss", o.loss().label());
        json.put("max_grad_norm", o.maxGradNorm());
        json.put("max_length", o.maxLength());
        json.put("adam_beta1", o.adam().beta1());
        json.put("adam_beta2", o.adam().beta2());
        json.put("adam_eps", o.adam().eps());
        json.put("weight_decay", o.adam().weightDecay());
        return json;
    }

    private static JsonNode readOptions(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new Qf2Exception("the saved run's settings are unreadable (" + e.getMessage()
                    + "): start a new run");
        }
    }

    private static List<String> differences(JsonNode saved, JsonNode now) {
        List<String> different = new ArrayList<>();
        now.fieldNames().forEachRemaining(name -> {
            if (!sameValue(now.get(name), saved.get(name))) {
                different.add(name + " " + saved.path(name) + " then, " + now.get(name) + " now");
            }
        });
        saved.fieldNames().forEachRemaining(name -> {
            if (!now.has(name)) {
                different.add(name + " " + saved.get(name) + " then, none now");
            }
        });
        return different;
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a != null && b != null && a.isNumber() && b.isNumber()) {
            return a.asDouble() == b.asDouble();
        }
        return a != null && a.equals(b);
    }

    /**
     * Identifies a source checkpoint by its config.json and the names, shapes and dtypes of its tensors: enough to
     * catch a run resumed on another model without reading gigabytes of weights.
     */
    static String sourceFingerprint(ModelDirectory source) {
        StringBuilder text = new StringBuilder(source.config().toJsonString());
        try (TensorStore store = source.openWeights()) {
            store.tensors().forEach((name, info) -> text.append('\n').append(name).append(' ').append(info.dtype())
                    .append(' ').append(java.util.Arrays.toString(info.shape())));
        }
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.toString().getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return String.format("%016x", hash);
    }

    private static boolean isEmpty(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new Qf2Exception("cannot list " + dir + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        optimizer.close();
        model.close();
    }
}
