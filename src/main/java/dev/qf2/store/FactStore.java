package dev.qf2.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.AtomicFile;
import dev.qf2.checkpoint.DType;
import dev.qf2.checkpoint.SafeTensorsFile;
import dev.qf2.checkpoint.SafeTensorsWriter;
import dev.qf2.checkpoint.TensorData;
import dev.qf2.checkpoint.TensorInfo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The facts learned into one model, kept on disk so that they survive restarts and can be removed one by one.
 *
 * <p>A store is a directory:
 * <ul>
 *   <li>{@code store.json}: the layer, the weight shape and the fingerprint of the base weight;</li>
 *   <li>{@code journal.jsonl}: one line per fact, in the order learned;</li>
 *   <li>{@code factors/ID.safetensors}: the fact's factors {@code a} (T, I) and {@code b} (T, H), so that the
 *       learned weight is {@code W + sum over facts of a^T b}, and {@code answer_inputs} (K, H), the block inputs
 *       at the fact's answer rows, which the least-squares rules keep later facts from changing;</li>
 *   <li>{@code weights.safetensors}: a cache of that sum, valid only for the journal it was written with.</li>
 * </ul>
 * Every file is replaced atomically. Learning writes the factor file first and the journal line second, and
 * forgetting removes the journal line first, so a crash at any moment leaves the store as it was before or
 * after the operation. A factor file no journal line names is a leftover of such a crash and is deleted on the
 * next open. Journal lines that cannot be read are kept verbatim and reported, never dropped.
 *
 * <p>One process at a time may open a store; a second gets a clear error.
 */
public final class FactStore implements AutoCloseable {

    /** The manifest's file name. */
    public static final String MANIFEST = "store.json";
    /** The journal's file name. */
    public static final String JOURNAL = "journal.jsonl";
    /** The directory of factor files. */
    public static final String FACTORS = "factors";
    /** The weight cache's file name. */
    public static final String CACHE = "weights.safetensors";

    private static final String LOCK = ".lock";
    private static final String ANSWER_INPUTS = "answer_inputs";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom IDS = new SecureRandom();

    /** A journal line: its text as read, and the fact it holds when it could be read and its factors check out. */
    private record Entry(String line, FactRecord fact, String problem) {}

    private final Path dir;
    private final String fingerprint;
    private final int layer;
    private final int intermediate;
    private final int hidden;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<Entry> entries = new ArrayList<>();
    private byte[] journalDigest;

    private FactStore(Path dir, String fingerprint, int layer, int intermediate, int hidden, FileChannel lockChannel,
            FileLock lock) {
        this.dir = dir;
        this.fingerprint = fingerprint;
        this.layer = layer;
        this.intermediate = intermediate;
        this.hidden = hidden;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * A short digest of a base weight and its layer; a store made for one base refuses every other.
     *
     * @param weight the base {@code up_proj}, row-major
     */
    public static String fingerprint(float[] weight, int layer) {
        MessageDigest sha = sha256();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        chunk.putInt(layer);
        for (float value : weight) {
            if (!chunk.hasRemaining()) {
                sha.update(chunk.array(), 0, chunk.position());
                chunk.clear();
            }
            chunk.putFloat(value);
        }
        sha.update(chunk.array(), 0, chunk.position());
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    /**
     * Opens the store in {@code dir}, creating it (and the directory) when there is none yet.
     *
     * @param fingerprint the base weight's {@link #fingerprint}
     * @throws Qf2Exception if the directory holds something else, a store for another model or layer, or a
     *     store another process has open
     */
    public static FactStore openOrCreate(Path dir, String fingerprint, int layer, int intermediate, int hidden) {
        try {
            Files.createDirectories(dir.resolve(FACTORS));
        } catch (IOException e) {
            throw new Qf2Exception("cannot create the fact store " + dir + " (" + e.getMessage()
                    + "): choose another --store directory", e);
        }
        FileChannel channel;
        FileLock lock;
        try {
            channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new Qf2Exception("cannot open the fact store " + dir + " (" + e.getMessage()
                    + "): check its permissions", e);
        }
        try {
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new Qf2Exception("the fact store " + dir + " is in use by another qf2 process"
                    + ": wait for it to finish or use another --store");
        }
        FactStore store = new FactStore(dir, fingerprint, layer, intermediate, hidden, channel, lock);
        try {
            store.checkManifest();
            store.readJournal();
            store.removeLeftovers();
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The store's directory. */
    public Path directory() {
        return dir;
    }

    /** The fingerprint of the base weight. */
    public String baseFingerprint() {
        return fingerprint;
    }

    /** The facts whose journal line and factors are sound, oldest first. */
    public List<FactRecord> facts() {
        List<FactRecord> facts = new ArrayList<>();
        for (Entry e : entries) {
            if (e.problem == null) {
                facts.add(e.fact);
            }
        }
        return List.copyOf(facts);
    }

    /** The fact of that id, if the store holds it and it is sound. */
    public Optional<FactRecord> fact(String id) {
        return facts().stream().filter(f -> f.id().equals(id)).findFirst();
    }

    /**
     * What is wrong with the store, one line per damaged journal line or factor file; such entries are left out
     * of {@link #facts()} and the weights but stay in the journal until forgotten.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Entry e : entries) {
            if (e.problem != null) {
                problems.add(e.problem);
            }
        }
        return problems;
    }

    /**
     * The block inputs at a sound fact's answer rows, (K, H) row-major, read from its factor file and checked
     * against the journal's digest; empty when the file holds none.
     */
    public float[] answerInputs(String id) {
        FactRecord fact = fact(id).orElseThrow(() -> unknown(id));
        Path file = verifiedFactorFile(fact);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            if (!f.tensors().containsKey(ANSWER_INPUTS)) {
                return new float[0];
            }
            TensorInfo info = f.info(ANSWER_INPUTS);
            checkShape(info, (int) info.shape()[0], hidden, file);
            return f.readFloats(ANSWER_INPUTS);
        } catch (Qf2Exception e) {
            throw new Qf2Exception(factProblem(fact, e.getMessage()), e);
        }
    }

    /** The factors of a sound fact, read from its file and checked against the journal's digest. */
    public Factors factors(String id) {
        FactRecord fact = fact(id).orElseThrow(() -> unknown(id));
        return readFactors(fact);
    }

    /**
     * The base weight plus every sound fact's factors, in the order learned.
     *
     * @param base the base {@code up_proj}, (I, H) row-major; not changed
     */
    public float[] materialise(float[] base) {
        requireWeightLength(base);
        float[] weight = base.clone();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.problem != null) {
                continue;
            }
            try {
                readFactors(e.fact).addTo(weight, 1);
            } catch (Qf2Exception damaged) {
                entries.set(i, new Entry(e.line, e.fact, damaged.getMessage()));
            }
        }
        return weight;
    }

    /**
     * The learned weight: the cache when it was written for the current journal and every fact is sound,
     * else {@link #materialise}.
     */
    public float[] loadOrMaterialise(float[] base) {
        requireWeightLength(base);
        Path cache = dir.resolve(CACHE);
        if (problems().isEmpty() && Files.isRegularFile(cache)) {
            try (SafeTensorsFile file = SafeTensorsFile.open(cache)) {
                Map<String, String> meta = file.metadata();
                if (hex(journalDigest).equals(meta.get("journal_sha256"))
                        && fingerprint.equals(meta.get("base"))
                        && Arrays.equals(file.info("weight").shape(), new long[] {intermediate, hidden})) {
                    return file.readFloats("weight");
                }
            } catch (Qf2Exception unreadable) {
                // A damaged cache is only a lost shortcut: the weight is rebuilt from the factors.
            }
        }
        return materialise(base);
    }

    /**
     * Stores a fact: its factors, then its journal line. When this returns the fact survives any crash.
     *
     * @param draft the fact as built by {@link FactRecord#builder()}
     * @param a (rows, I) row-major
     * @param b (rows, H) row-major
     * @return the stored record, with its id, rows, base fingerprint and factor digest
     */
    public FactRecord append(FactRecord draft, float[] a, float[] b, int rows) {
        return append(draft, a, b, rows, new float[0]);
    }

    /**
     * Stores a fact as {@link #append(FactRecord, float[], float[], int)} does, with the block inputs at its answer
     * rows, which later facts keep their changes away from.
     *
     * @param answerInputs (K, H) row-major, K &ge; 0
     */
    public FactRecord append(FactRecord draft, float[] a, float[] b, int rows, float[] answerInputs) {
        new Factors(rows, intermediate, hidden, a, b);
        if (rows < 1) {
            throw new IllegalArgumentException("a fact needs at least one factor row");
        }
        if (answerInputs.length % hidden != 0) {
            throw new IllegalArgumentException(answerInputs.length + " answer-input values are not rows of "
                    + hidden);
        }
        String id = newId();
        Path file = factorFile(id);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("fact", id);
        meta.put("layer", Integer.toString(layer));
        List<TensorData> tensors = new ArrayList<>(List.of(
                TensorData.ofFloats("a", DType.F32, new long[] {rows, intermediate}, a),
                TensorData.ofFloats("b", DType.F32, new long[] {rows, hidden}, b)));
        if (answerInputs.length > 0) {
            tensors.add(TensorData.ofFloats(ANSWER_INPUTS, DType.F32, new long[] {answerInputs.length / hidden,
                hidden}, answerInputs));
        }
        SafeTensorsWriter.writeInOrder(file, meta, tensors);
        FactRecord stored = draft.stored(id, rows, fingerprint, hex(digestOf(file)));
        Entry entry = new Entry(toJsonLine(stored), stored, null);
        List<Entry> next = new ArrayList<>(entries);
        next.add(entry);
        try {
            writeJournal(next);
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
        entries.add(entry);
        return stored;
    }

    /**
     * Removes a fact, sound or damaged: its journal line, then its factor file.
     *
     * @throws Qf2Exception if the store holds no fact of that id
     */
    public FactRecord forget(String id) {
        int index = -1;
        for (int i = 0; i < entries.size(); i++) {
            FactRecord f = entries.get(i).fact;
            if (f != null && f.id().equals(id)) {
                index = i;
            }
        }
        if (index < 0) {
            throw unknown(id);
        }
        List<Entry> next = new ArrayList<>(entries);
        Entry removed = next.remove(index);
        writeJournal(next);
        entries.remove(index);
        deleteQuietly(factorFile(id));
        return removed.fact;
    }

    /**
     * Saves the learned weight so that the next open need not rebuild it; valid for the current journal only.
     */
    public void writeCache(float[] weight) {
        requireWeightLength(weight);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("base", fingerprint);
        meta.put("journal_sha256", hex(journalDigest));
        SafeTensorsWriter.writeInOrder(dir.resolve(CACHE), meta,
                List.of(TensorData.ofFloats("weight", DType.F32, new long[] {intermediate, hidden}, weight)));
    }

    /** Releases the store for other processes. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException ignored) {
            // The lock goes with the channel anyway.
        }
        closeQuietly(lockChannel);
    }

    @Override
    public String toString() {
        return "FactStore[" + dir + ", " + facts().size() + " facts, base " + fingerprint + "]";
    }

    private void checkManifest() {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            if (Files.exists(dir.resolve(JOURNAL))) {
                throw new Qf2Exception("the fact store " + dir + " has a journal but no " + MANIFEST
                        + ": restore the file from a backup");
            }
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            root.put("base", fingerprint);
            root.put("layer", layer);
            root.put("intermediate_size", intermediate);
            root.put("hidden_size", hidden);
            root.put("created", Instant.now().toString());
            AtomicFile.writeString(manifest, root.toPrettyString() + "\n");
            return;
        }
        JsonNode root;
        try {
            root = JSON.readTree(manifest.toFile());
        } catch (IOException e) {
            throw new Qf2Exception("cannot read " + manifest + " (" + firstLine(e) + "): the store is damaged;"
                    + " restore the file or use another --store", e);
        }
        if (root == null || !root.isObject() || root.path("format").asInt(-1) != FORMAT) {
            throw new Qf2Exception(manifest + " is not a qf2 fact store manifest of format " + FORMAT
                    + ": use another --store directory");
        }
        String storedBase = root.path("base").asText("");
        int storedLayer = root.path("layer").asInt(-1);
        if (storedLayer != layer) {
            throw new Qf2Exception("the fact store " + dir + " holds facts for layer " + storedLayer
                    + ", not layer " + layer + ": run with --qf-layer " + storedLayer + " or use another --store");
        }
        if (root.path("intermediate_size").asInt(-1) != intermediate || root.path("hidden_size").asInt(-1) != hidden) {
            throw new Qf2Exception("the fact store " + dir + " was made for a model of another size ("
                    + root.path("intermediate_size") + " x " + root.path("hidden_size") + ", this one is "
                    + intermediate + " x " + hidden + "): use the model it was made for or another --store");
        }
        if (!storedBase.equals(fingerprint)) {
            throw new Qf2Exception("the fact store " + dir + " was made for other base weights (fingerprint "
                    + storedBase + ", this model " + fingerprint + "): use the model it was made for or another"
                    + " --store");
        }
    }

    private void readJournal() {
        Path journal = dir.resolve(JOURNAL);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(journal);
        } catch (NoSuchFileException e) {
            bytes = new byte[0];
        } catch (IOException e) {
            throw new Qf2Exception("cannot read " + journal + " (" + e.getMessage() + "): check the disk", e);
        }
        journalDigest = sha256().digest(bytes);
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            String where = JOURNAL + " line " + (i + 1);
            FactRecord fact;
            try {
                fact = parseLine(line);
            } catch (IllegalArgumentException e) {
                entries.add(new Entry(line, null, where + " of " + dir + " cannot be read (" + e.getMessage()
                        + "): the fact is left out; repair or delete the line"));
                continue;
            }
            if (seen.contains(fact.id())) {
                entries.add(new Entry(line, null, where + " of " + dir + " repeats fact " + fact.id()
                        + ": the repeat is left out; delete the line"));
                continue;
            }
            seen.add(fact.id());
            entries.add(new Entry(line, fact, checkFactorHeader(fact)));
        }
    }

    /** A cheap check at open: the factor file exists and holds tensors of the journal's shapes. */
    private String checkFactorHeader(FactRecord fact) {
        Path file = factorFile(fact.id());
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            checkShape(f.info("a"), fact.rows(), intermediate, file);
            checkShape(f.info("b"), fact.rows(), hidden, file);
            return null;
        } catch (Qf2Exception e) {
            return factProblem(fact, e.getMessage());
        }
    }

    private Factors readFactors(FactRecord fact) {
        Path file = verifiedFactorFile(fact);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            checkShape(f.info("a"), fact.rows(), intermediate, file);
            checkShape(f.info("b"), fact.rows(), hidden, file);
            return new Factors(fact.rows(), intermediate, hidden, f.readFloats("a"), f.readFloats("b"));
        } catch (Qf2Exception e) {
            throw new Qf2Exception(factProblem(fact, e.getMessage()), e);
        }
    }

    /** The fact's factor file, once its digest matches the journal's. */
    private Path verifiedFactorFile(FactRecord fact) {
        Path file = factorFile(fact.id());
        byte[] digest;
        try {
            digest = digestOf(file);
        } catch (Qf2Exception e) {
            throw new Qf2Exception(factProblem(fact, e.getMessage()), e);
        }
        if (!hex(digest).equals(fact.factorsSha256())) {
            throw new Qf2Exception(factProblem(fact, file + " does not match the digest in the journal"));
        }
        return file;
    }

    private static void checkShape(TensorInfo info, int rows, int columns, Path file) {
        if (info.dtype() != DType.F32 || !Arrays.equals(info.shape(), new long[] {rows, columns})) {
            throw new Qf2Exception("tensor " + info.name() + " in " + file + " is " + info.dtype() + " "
                    + Arrays.toString(info.shape()) + ", expected F32 [" + rows + ", " + columns + "]");
        }
    }

    private String factProblem(FactRecord fact, String detail) {
        return "fact " + fact.id() + " (\"" + fact.system() + "\") in " + dir + " is damaged: " + detail
                + "; it is left out of the weights; restore its factor file or forget it";
    }

    /** Deletes factor files no journal line names, and temporary files of interrupted writes. */
    private void removeLeftovers() {
        List<String> named = new ArrayList<>();
        for (Entry e : entries) {
            if (e.fact != null) {
                named.add(e.fact.factorFileName());
            }
        }
        for (Path folder : List.of(dir, dir.resolve(FACTORS))) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    boolean temporary = name.startsWith(".") && name.endsWith(".tmp");
                    boolean orphan = folder.endsWith(FACTORS) && name.endsWith(".safetensors") && !named.contains(name)
                            && !hasUnreadableLines();
                    if (temporary || orphan) {
                        deleteQuietly(file);
                    }
                }
            } catch (IOException e) {
                // Leftovers cost disk space only.
            }
        }
    }

    /** With a damaged journal line a factor file may belong to it, so no file is taken for a leftover. */
    private boolean hasUnreadableLines() {
        return entries.stream().anyMatch(e -> e.fact == null);
    }

    private void writeJournal(List<Entry> next) {
        StringBuilder text = new StringBuilder();
        for (Entry e : next) {
            text.append(e.line).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.writeString(dir.resolve(JOURNAL), text.toString());
        journalDigest = sha256().digest(bytes);
    }

    private String toJsonLine(FactRecord f) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", f.id());
        node.put("system", f.system());
        node.put("question", f.question());
        node.put("answer", f.answer());
        putArray(node, "significances", f.significances());
        putArray(node, "token_significances", f.tokenSignificances());
        node.put("rule", f.rule());
        node.put("lr", f.lr());
        node.put("beta", f.beta());
        node.put("layer", f.layer());
        node.put("learned_at", f.learnedAt().toString());
        node.put("rows", f.rows());
        node.put("base", f.base());
        node.put("factors_sha256", f.factorsSha256());
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putArray(ObjectNode node, String field, double[] values) {
        if (values == null) {
            node.putNull(field);
            return;
        }
        ArrayNode array = node.putArray(field);
        for (double v : values) {
            array.add(v);
        }
    }

    private static FactRecord parseLine(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + firstLine(e));
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        try {
            return new FactRecord(text(node, "id"), text(node, "system"), text(node, "question"),
                    text(node, "answer"), doubles(node, "significances"), doubles(node, "token_significances"),
                    text(node, "rule"), number(node, "lr"), number(node, "beta"), (int) number(node, "layer"),
                    Instant.parse(text(node, "learned_at")), (int) number(node, "rows"), text(node, "base"),
                    text(node, "factors_sha256"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad learned_at: " + e.getParsedString());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("missing text field \"" + field + "\"");
        }
        return value.textValue();
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("missing number field \"" + field + "\"");
        }
        return value.doubleValue();
    }

    private static double[] doubles(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" is not a list of numbers");
        }
        double[] out = new double[value.size()];
        for (int i = 0; i < out.length; i++) {
            if (!value.get(i).isNumber()) {
                throw new IllegalArgumentException("\"" + field + "\" is not a list of numbers");
            }
            out[i] = value.get(i).doubleValue();
        }
        return out;
    }

    private String newId() {
        while (true) {
            String id = HexFormat.of().toHexDigits(IDS.nextInt());
            boolean taken = entries.stream().anyMatch(e -> e.fact != null && e.fact.id().equals(id))
                    || Files.exists(factorFile(id));
            if (!taken) {
                return id;
            }
        }
    }

    private Path factorFile(String id) {
        return dir.resolve(FACTORS).resolve(id + ".safetensors");
    }

    private Qf2Exception unknown(String id) {
        return new Qf2Exception("no fact " + id + " in the store " + dir + ": run `qf2 facts` to list the ids");
    }

    private void requireWeightLength(float[] weight) {
        if (weight.length != (long) intermediate * hidden) {
            throw new IllegalArgumentException("weight has " + weight.length + " values, the store expects "
                    + intermediate + " x " + hidden);
        }
    }

    private static byte[] digestOf(Path file) {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        } catch (NoSuchFileException e) {
            throw new Qf2Exception("its factor file " + file + " is missing", e);
        } catch (IOException e) {
            throw new Qf2Exception("cannot read " + file + " (" + e.getMessage() + ")", e);
        }
        return sha.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A file left behind is removed as a leftover on the next open.
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing more can be done about a channel that fails to close.
        }
    }
}
