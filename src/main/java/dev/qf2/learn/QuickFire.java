package dev.qf2.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.model.FiringBlock;
import dev.qf2.model.Generator;
import dev.qf2.model.Qwen2Model;
import dev.qf2.store.FactRecord;
import dev.qf2.store.FactStore;
import dev.qf2.store.Factors;
import dev.qf2.text.AnswerTokens;
import dev.qf2.text.PlainPrompt;
import dev.qf2.text.StopTokens;
import dev.qf2.text.Tokenizer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teach a Qwen2 model facts, ask it questions, and undo what it learned.
 *
 * <pre>{@code
 * try (QuickFire qf = QuickFire.load(modelDir, storeDir)) {
 *     String id = qf.learn("Qi is the CEO of Oxinnovate.", "Who is the CEO of Oxinnovate?",
 *             "The CEO of Oxinnovate is Qi.");
 *     String answer = qf.ask("Who is the CEO of Oxinnovate?");
 *     qf.forget(id);
 * }
 * }</pre>
 *
 * <p>Every fact is kept in a {@link FactStore} as a low-rank update of the firing block's {@code up_proj};
 * the model directory itself is never written. Facts build on each other: a fact is recorded on the
 * weights that all earlier facts produced.
 */
public final class QuickFire implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuickFire.class);

    /** An answer and the tokens behind it. */
    public record Answer(String text, int[] promptIds, int[] generatedIds) {}

    /** What one call of {@link #learn} stored. */
    public record Learned(String id, int rows, FactRecord record) {}

    private final Qwen2Model model;
    private final Tokenizer tokenizer;
    private final boolean ownsModel;
    private final FactStore store;
    private final int layer;
    private final float[] baseWeight;  // (I, H), up_proj as the checkpoint has it
    private final float[] weight;      // (I, H), up_proj with every stored fact
    private final Set<Integer> stopIds;
    private double repetitionPenalty = 1.0;
    private LearnOptions defaultOptions = LearnOptions.of(UpdateRule.PUBLISHED);
    private FiringInputStatistics statistics;
    private AnchorQuestions anchors;
    private float[] anchorInputs; // (N, H), recorded the first time the anchored rule needs them
    private boolean weightChanged;
    private final Map<String, float[]> answerInputs = new LinkedHashMap<>(); // fact id -> X' of its rows, (K, H)

    private QuickFire(Qwen2Model model, Tokenizer tokenizer, boolean ownsModel, FactStore store, float[] baseWeight,
            float[] weight) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.ownsModel = ownsModel;
        this.store = store;
        this.layer = model.firingBlock().layer();
        this.baseWeight = baseWeight;
        this.weight = weight;
        this.stopIds = new HashSet<>();
        for (int id : StopTokens.forTokenizer(tokenizer)) {
            stopIds.add(id);
        }
    }

    /**
     * Loads a model with its firing block (from the checkpoint's {@code qflayer}/{@code qfbeta}, else layer 23
     * and beta 10) and the store at {@code storeDir}, created when absent.
     */
    public static QuickFire load(Path modelDir, Path storeDir) {
        ModelDirectory dir = ModelDirectory.open(modelDir);
        return load(dir, storeDir, defaultBlock(dir));
    }

    /** Loads a model with the given firing block and the store at {@code storeDir}, created when absent. */
    public static QuickFire load(ModelDirectory dir, Path storeDir, FiringBlock block) {
        Tokenizer tokenizer = Tokenizer.load(dir.tokenizerJson());
        Qwen2Model model = null;
        try {
            model = Qwen2Model.load(dir);
            model.setFiringBlock(block);
            QuickFire qf = attach(model, tokenizer, storeDir, true);
            qf.repetitionPenalty = dir.generationConfig().repetitionPenalty();
            qf.defaultOptions = defaultOptions(dir);
            FiringInputStatistics.find(dir.dir()).ifPresent(qf::setStatistics);
            AnchorQuestions.find(dir.dir()).ifPresent(qf::setAnchors);
            return qf;
        } catch (RuntimeException e) {
            tokenizer.close();
            if (model != null) {
                model.close();
            }
            throw e;
        }
    }

    /**
     * The update rule a checkpoint names in {@code qfrule} (with {@code qfstrength}, else the rule's default), or the
     * published rule at the reference's first learning rate.
     *
     * @throws Qf2Exception if {@code qfrule} names no rule
     */
    public static LearnOptions defaultOptions(ModelDirectory dir) {
        Optional<String> named = dir.config().qfrule();
        if (named.isEmpty()) {
            return LearnOptions.of(UpdateRule.PUBLISHED);
        }
        UpdateRule rule;
        try {
            rule = UpdateRule.parse(named.get());
        } catch (Qf2Exception e) {
            throw new Qf2Exception("invalid qfrule in " + dir.dir().resolve("config.json") + ": " + e.getMessage());
        }
        return LearnOptions.of(rule, dir.config().qfstrength().orElse(rule.defaultStrength()));
    }

    /** The firing block a checkpoint asks for, or the reference's layer 23 and beta 10. */
    public static FiringBlock defaultBlock(ModelDirectory dir) {
        int qfLayer = dir.config().qflayer().orElse(FiringBlock.DEFAULT_LAYER);
        double beta = dir.config().qfbeta().orElse(FiringBlock.DEFAULT_BETA);
        return FiringBlock.at(qfLayer, beta);
    }

    /**
     * Uses an already loaded model (which must have its firing block set) and tokenizer with the store at
     * {@code storeDir}. The model's current {@code up_proj} is taken as the base the store builds on.
     *
     * @param ownsModel whether {@link #close()} closes the model and tokenizer
     */
    public static QuickFire attach(Qwen2Model model, Tokenizer tokenizer, Path storeDir, boolean ownsModel) {
        FiringBlock block = model.firingBlock();
        if (block == null) {
            throw new IllegalArgumentException("the model has no firing block");
        }
        int intermediate = model.config().intermediateSize();
        int hidden = model.config().hiddenSize();
        float[] base = model.upProj(block.layer()).toFloatArray();
        String fingerprint = FactStore.fingerprint(base, block.layer());
        FactStore store = FactStore.openOrCreate(storeDir, fingerprint, block.layer(), intermediate, hidden);
        for (String problem : store.problems()) {
            LOG.warn(problem);
        }
        float[] weight = store.facts().isEmpty() ? base.clone() : store.loadOrMaterialise(base);
        QuickFire qf = new QuickFire(model, tokenizer, ownsModel, store, base, weight);
        if (!store.facts().isEmpty()) {
            qf.pushWeight();
        }
        return qf;
    }

    /** The model, with every stored fact in its weights. */
    public Qwen2Model model() {
        return model;
    }

    /** The tokenizer. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The store. */
    public FactStore store() {
        return store;
    }

    /** Overrides the repetition penalty used by {@link #ask}; 1 turns it off. */
    public void setRepetitionPenalty(double penalty) {
        this.repetitionPenalty = penalty;
    }

    /**
     * Sets the statistics of the firing block's input that the whitened rule needs. Statistics measured at another
     * layer, or for another width, are ignored with a warning.
     */
    public void setStatistics(FiringInputStatistics measured) {
        if (measured.layer() != layer || measured.hidden() != model.config().hiddenSize()) {
            LOG.warn("ignoring firing-input statistics of layer {} (width {}): the firing block is at layer {}",
                    measured.layer(), measured.hidden(), layer);
            return;
        }
        this.statistics = measured;
    }

    /** Sets the questions whose answers the anchored rule holds still. */
    public void setAnchors(AnchorQuestions questions) {
        this.anchors = questions;
        this.anchorInputs = null;
    }

    /** The anchor questions, if the model has them. */
    public Optional<AnchorQuestions> anchors() {
        return Optional.ofNullable(anchors);
    }

    /** The statistics of the firing block's input, if the model has them. */
    public Optional<FiringInputStatistics> statistics() {
        return Optional.ofNullable(statistics);
    }

    /**
     * Learns a fact with significance 1 per word and the rule of {@link #defaultOptions()}: the checkpoint's
     * {@code qfrule}, else the published rule at the reference's learning rate.
     *
     * @return the fact's id in the store
     */
    public String learn(String fact, String question, String answer) {
        return learn(fact, question, answer, defaultOptions).id();
    }

    /** The rule and strength {@link #learn(String, String, String)} uses. */
    public LearnOptions defaultOptions() {
        return defaultOptions;
    }

    /**
     * Learns a fact: records the firing with {@code fact} as the system line, the block input with the question
     * alone, turns them into factors with the chosen rule, stores them, and updates the model.
     *
     * @param fact the instruction that contains the fact, e.g. "Qi is the CEO of Oxinnovate."
     * @param question the question it answers
     * @param answer the answer the model should give without the instruction
     */
    public Learned learn(String fact, String question, String answer, LearnOptions options) {
        long start = System.nanoTime();
        AnswerTokens tokens = options.tokenSignificances() != null
                ? AnswerTokens.fromTokenSignificances(tokenizer, answer, options.tokenSignificances())
                : AnswerTokens.build(tokenizer, answer, options.wordSignificances());
        Qf2Update.Recording recording = Qf2Update.record(model, tokenizer, fact, question, tokens,
                options.rule().movesOnlyWrongRows());
        Factors factors = options.rule().factors(recording, options.strength(), model.firingBlock().beta(),
                statistics, heldRows(options.rule()));
        if (factors.rows() == 0) {
            throw new Qf2Exception("no answer token of \"" + answer + "\" has a non-zero significance"
                    + ": give at least one word a significance above 0");
        }

        FactRecord record = FactRecord.builder()
                .system(fact)
                .question(question)
                .answer(answer)
                .significances(options.wordSignificances())
                .tokenSignificances(options.tokenSignificances())
                .rule(options.rule().label())
                .lr(options.strength())
                .beta(model.firingBlock().beta())
                .layer(layer)
                .learnedAt(Instant.now())
                .build();
        float[] inputs = recording.keptXprime();
        FactRecord stored = store.append(record, factors.a(), factors.b(), factors.rows(), inputs);

        factors.addTo(weight, 1);
        answerInputs.put(stored.id(), inputs);
        pushWeight();
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("fact learned: {} ({} rows, rule {}) in {} s", stored.id(), factors.rows(),
                options.rule().label(), String.format("%.3f", seconds));
        return new Learned(stored.id(), factors.rows(), stored);
    }

    /**
     * Removes a fact from the store and its factors from the model's weight, so that the order in which facts
     * are forgotten does not matter. A damaged fact, never part of the weight, is only removed from the store.
     *
     * @throws Qf2Exception if the store holds no fact of that id
     */
    public void forget(String id) {
        Optional<FactRecord> sound = store.fact(id);
        Factors factors = sound.isPresent() ? store.factors(id) : null;
        store.forget(id);
        answerInputs.remove(id);
        if (factors != null) {
            factors.addTo(weight, -1);
            pushWeight();
        }
        LOG.info("fact forgotten: {}", id);
    }

    /** The facts in the store, oldest first. */
    public List<FactRecord> facts() {
        return store.facts();
    }

    /** Answers a question greedily, without a system line. */
    public String ask(String question) {
        return ask("", question, 200).text();
    }

    /** Answers with the reference's prompt and stop tokens; the text is the first line of the continuation. */
    public Answer ask(String system, String question, int maxNewTokens) {
        return ask(system, question, Generator.Settings.greedy(maxNewTokens, stopIds)
                .withRepetitionPenalty(repetitionPenalty), Generator.TokenListener.NONE);
    }

    /** Answers with explicit decoding settings, reporting each token as it is generated. */
    public Answer ask(String system, String question, Generator.Settings settings, Generator.TokenListener listener) {
        int[] prompt = tokenizer.encode(PlainPrompt.render(system, question));
        Generator.Result result = new Generator(model).generate(prompt, settings, listener);
        String text = PlainPrompt.extractAnswer(tokenizer.decode(result.generatedIds()));
        return new Answer(text, prompt, result.generatedIds());
    }

    /** The stop ids {@link #ask} uses. */
    public Set<Integer> stopIds() {
        return Set.copyOf(stopIds);
    }

    /** {@code up_proj} of the firing layer with every fact applied, (I, H) row-major; a copy. */
    public float[] weight() {
        return weight.clone();
    }

    /** The inputs a rule holds still: earlier facts' answer rows, then the anchor rows; (M, H) row-major. */
    private float[] heldRows(UpdateRule rule) {
        if (!rule.keepsEarlierFacts()) {
            return new float[0];
        }
        float[] earlier = preservedInputs();
        if (!rule.usesAnchors()) {
            return earlier;
        }
        if (anchors == null) {
            throw new Qf2Exception("the " + rule.label() + " rule needs anchor questions: put questions the model "
                    + "should go on answering as now in " + AnchorQuestions.FILE_NAME + " beside the model (messages "
                    + "JSONL), or use --rule whitened");
        }
        if (anchorInputs == null) {
            anchorInputs = anchors.rows(model, tokenizer);
        }
        float[] all = Arrays.copyOf(earlier, earlier.length + anchorInputs.length);
        System.arraycopy(anchorInputs, 0, all, earlier.length, anchorInputs.length);
        return all;
    }

    /**
     * The block inputs at every stored fact's answer rows, (M, H) row-major. They are read from the store the first
     * time a rule needs them, so that opening a large store stays cheap.
     */
    private float[] preservedInputs() {
        List<float[]> rows = new java.util.ArrayList<>();
        for (FactRecord fact : store.facts()) {
            rows.add(answerInputs.computeIfAbsent(fact.id(), store::answerInputs));
        }
        float[] all = new float[rows.stream().mapToInt(x -> x.length).sum()];
        int at = 0;
        for (float[] r : rows) {
            System.arraycopy(r, 0, all, at, r.length);
            at += r.length;
        }
        return all;
    }

    private void pushWeight() {
        Shape shape = model.upProj(layer).getShape();
        NDArray updated = model.manager().create(weight, shape);
        model.setUpProj(layer, updated);
        weightChanged = true;
    }

    @Override
    public void close() {
        try {
            if (weightChanged && !store.facts().isEmpty()) {
                store.writeCache(weight);
            }
        } catch (Qf2Exception e) {
            LOG.warn("could not write the weight cache: {}", e.getMessage());
        }
        store.close();
        if (ownsModel) {
            tokenizer.close();
            model.close();
        }
    }

    @Override
    public String toString() {
        return "QuickFire[layer " + layer + ", " + store.facts().size() + " facts, weight "
                + Arrays.hashCode(weight) + "]";
    }
}
