package dev.qf2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.GenerationConfig;
import dev.qf2.model.Generator;
import dev.qf2.text.ChatTemplate;
import dev.qf2.text.Message;
import dev.qf2.text.PlainPrompt;
import dev.qf2.text.StopTokens;
import dev.qf2.text.TokenStreamer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Answers questions, once or interactively. */
@Command(name = "chat", aliases = "ask", mixinStandardHelpOptions = true,
        description = "Answer a question (or, without one, questions typed at a prompt) with the model and "
                + "every fact learned into its store.")
final class ChatCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    StoreOptions storeOptions;

    @Option(names = "--system", paramLabel = "TEXT", description = "system line, e.g. a fact to answer from")
    String system = "";

    @Option(names = "--format", paramLabel = "plain|chat",
            description = "prompt format: the reference's 'role: content' lines, or the checkpoint's chat template "
                    + "(default: ${DEFAULT-VALUE})")
    String format = "plain";

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "default: ${DEFAULT-VALUE}")
    int maxNewTokens = 200;

    @Option(names = "--stop-ids", split = ",", paramLabel = "ID",
            description = "token ids that end the answer (default: the reference's for plain, eos for chat)")
    List<Integer> stopIds;

    @Option(names = "--json", paramLabel = "FILE", description = "also write prompt, ids and answer as JSON")
    Path json;

    @Option(names = "--no-generation-config",
            description = "ignore generation_config.json (its repetition_penalty applies even to greedy decoding)")
    boolean noGenerationConfig;

    @Option(names = "--sample", description = "sample instead of greedy decoding")
    boolean sample;

    @Option(names = "--temperature", paramLabel = "T",
            description = "sampling temperature (default: generation config, else 1)")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P",
            description = "nucleus sampling mass (default: generation config, else 1)")
    Double topP;

    @Option(names = "--top-k", paramLabel = "K",
            description = "sample among the K most likely (default: generation config, else all)")
    Integer topK;

    @Option(names = "--seed", paramLabel = "S", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Parameters(arity = "0..1", paramLabel = "QUESTION", description = "the question; omit for an interactive prompt")
    String question;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("plain") && !format.equals("chat")) {
            throw new Qf2Exception("--format must be plain or chat, not '" + format + "'");
        }
        if (maxNewTokens < 1) {
            throw new Qf2Exception("--max-new-tokens must be at least 1, got " + maxNewTokens);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel loaded = LoadedModel.open(modelOptions, storeOptions)) {
            ChatTemplate template = format.equals("chat") ? chatTemplate(loaded) : null;
            Generator.Settings settings = settings(loaded, template != null);
            if (question != null) {
                answer(loaded, template, settings, question, out);
                return 0;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            PrintWriter err = spec.commandLine().getErr();
            while (true) {
                err.print("> ");
                err.flush();
                String line = in.readLine();
                if (line == null) {
                    return 0;
                }
                if (!line.isBlank()) {
                    answer(loaded, template, settings, line.strip(), out);
                }
            }
        }
    }

    private void answer(LoadedModel loaded, ChatTemplate template, Generator.Settings settings, String q,
            PrintWriter out) throws Exception {
        String prompt = template != null
                ? template.render(messages(q))
                : PlainPrompt.render(system, q);
        int[] promptIds = loaded.tokenizer.encode(prompt);
        TokenStreamer streamer = new TokenStreamer(loaded.tokenizer);
        AnswerPrinter printer = new AnswerPrinter(out);
        Generator.Result result = new Generator(loaded.model).generate(promptIds, settings, (row, id) -> {
            if (!settings.stopIds().contains(id)) {
                printer.accept(streamer.accept(id));
            }
        });
        printer.accept(streamer.finish());
        printer.finish();
        if (!result.stopped() && result.generatedIds().length < settings.maxNewTokens()) {
            spec.commandLine().getErr().printf("qf2: the answer stops at the model's %d positions "
                    + "(max_position_embeddings)%n", loaded.model.config().maxPositionEmbeddings());
        }

        String text = PlainPrompt.extractAnswer(loaded.tokenizer.decode(result.generatedIds()));
        if (json != null) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode node = mapper.createObjectNode();
            node.put("prompt", prompt);
            node.set("prompt_ids", mapper.valueToTree(promptIds));
            node.set("generated_ids", mapper.valueToTree(result.generatedIds()));
            node.put("text", text);
            JsonFiles.write(json, node);
        }
    }

    private List<Message> messages(String q) {
        List<Message> messages = new ArrayList<>();
        if (!system.isEmpty()) {
            messages.add(Message.system(system));
        }
        messages.add(Message.user(q));
        return messages;
    }

    private static ChatTemplate chatTemplate(LoadedModel loaded) {
        String text = loaded.dir.chatTemplate().orElseThrow(() -> new Qf2Exception("the checkpoint at "
                + loaded.dir.dir() + " has no chat template in tokenizer_config.json: use --format plain"));
        return ChatTemplate.of(text);
    }

    private Generator.Settings settings(LoadedModel loaded, boolean chat) {
        GenerationConfig gc = noGenerationConfig ? null : loaded.dir.generationConfig();
        Set<Integer> stops = new HashSet<>();
        if (stopIds != null) {
            stops.addAll(stopIds);
        } else if (chat) {
            stops.addAll(loaded.dir.config().eosTokenIds());
            if (gc != null) {
                stops.addAll(gc.eosTokenIds());
            }
        } else {
            for (int id : StopTokens.forTokenizer(loaded.tokenizer)) {
                stops.add(id);
            }
        }
        double penalty = gc == null ? 1.0 : gc.repetitionPenalty();
        double t = temperature != null ? temperature : gc != null ? gc.temperature() : 1.0;
        double p = topP != null ? topP : gc != null ? gc.topP() : 1.0;
        int k = topK != null ? topK : gc != null ? gc.topK() : 0;
        try {
            return new Generator.Settings(maxNewTokens, stops, penalty, sample, t, k, p, seed);
        } catch (IllegalArgumentException e) {
            throw new Qf2Exception("bad decoding settings: " + e.getMessage());
        }
    }

    /** Streams the answer, leaving out the {@code assistant:} prefix the plain format produces. */
    private static final class AnswerPrinter {
        private static final String PREFIX = "assistant:";
        private final PrintWriter out;
        private final StringBuilder head = new StringBuilder();
        private boolean started;

        AnswerPrinter(PrintWriter out) {
            this.out = out;
        }

        void accept(String piece) {
            if (started) {
                out.print(piece);
                out.flush();
                return;
            }
            head.append(piece);
            if (head.length() > PREFIX.length()) {
                flushHead();
            }
        }

        void finish() {
            if (!started) {
                flushHead();
            }
            out.println();
            out.flush();
        }

        private void flushHead() {
            String text = head.toString();
            if (text.startsWith(PREFIX)) {
                text = text.substring(PREFIX.length()).stripLeading();
            }
            started = true;
            out.print(text);
            out.flush();
        }
    }
}
