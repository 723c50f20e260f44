package dev.qf2.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.AtomicFile;
import dev.qf2.text.Exchange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A deterministic generator of question-answer rows about companies in the messages format, for training a small
 * model the abilities that QF2 relies on:
 *
 * <ul>
 *   <li>{@link Kind#COPY}: the system line states a fact about a company never seen before (sometimes beside a
 *       second, distracting fact), and the answer restates it, so the model learns to copy from its prompt;
 *   <li>{@link Kind#UNKNOWN} and {@link Kind#IRRELEVANT}: a question about an unseen company with no system line, or
 *       with one about another company, is answered {@value #DECLINE};
 *   <li>{@link Kind#REAL}: well-known companies are answered from memory;
 *   <li>{@link Kind#MEMORISED} and {@link Kind#GAP}: a fixed set of invented companies is answered from memory too,
 *       and a relation the model was never told about them is declined; these keep the representations of unknown
 *       companies apart from one another.
 * </ul>
 *
 * <p>The memorised companies depend on the world seed only, so training and validation files made with different
 * row seeds share them. Fresh names are drawn from the training side of {@link Names}' split.
 */
public final class CompanyCorpus {

    /** The answer to a question the prompt and memory cannot answer. */
    public static final String DECLINE = "Need more information.";

    /** What a row teaches. */
    public enum Kind {
        COPY(40), UNKNOWN(14), IRRELEVANT(6), REAL(12), MEMORISED(24), GAP(4);

        private final int weight;

        Kind(int weight) {
            this.weight = weight;
        }

        /** The name written in the JSONL {@code kind} field. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@link #label()}. */
        public static Kind parse(String label) {
            for (Kind kind : values()) {
                if (kind.label().equals(label.toLowerCase(Locale.ROOT))) {
                    return kind;
                }
            }
            throw new Qf2Exception("unknown row kind '" + label + "': use one of "
                    + Arrays.stream(values()).map(Kind::label).toList());
        }
    }

    /**
     * One generated row.
     *
     * @param kind what it teaches
     * @param exchange the system line (possibly empty), question and answer
     */
    public record Row(Kind kind, Exchange exchange) {}

    private static final int TOTAL_WEIGHT = Arrays.stream(Kind.values()).mapToInt(k -> k.weight).sum();

    private final List<Company> memorised;
    private final Set<String> reservedNames = new HashSet<>();

    /**
     * Creates the world: {@code memorisedCompanies} invented companies with a CEO, a founder and one more fact each.
     */
    public CompanyCorpus(long worldSeed, int memorisedCompanies) {
        SplittableRandom random = new SplittableRandom(worldSeed);
        for (Company c : RealCompanies.ALL) {
            reservedNames.add(c.name());
        }
        List<Company> companies = new ArrayList<>();
        Relation[] extras = {Relation.HEADQUARTERS, Relation.STAFF, Relation.FOUNDED, Relation.PRODUCT};
        while (companies.size() < memorisedCompanies) {
            String name = Names.company(random, false);
            if (!reservedNames.add(name)) {
                continue;
            }
            Map<Relation, String> facts = new EnumMap<>(Relation.class);
            facts.put(Relation.CEO, Relation.CEO.randomValue(random, false));
            facts.put(Relation.FOUNDER, random.nextInt(3) == 0 ? facts.get(Relation.CEO)
                    : Relation.FOUNDER.randomValue(random, false));
            Relation extra = extras[random.nextInt(extras.length)];
            facts.put(extra, extra.randomValue(random, false));
            companies.add(new Company(name, facts));
        }
        this.memorised = List.copyOf(companies);
    }

    /** The invented companies the model answers from memory. */
    public List<Company> memorised() {
        return memorised;
    }

    /** The well-known companies the model answers from memory. */
    public static List<Company> real() {
        return RealCompanies.ALL;
    }

    /** {@code count} rows drawn with {@code seed}; the same arguments always give the same rows. */
    public List<Row> rows(int count, long seed) {
        return draw(count, seed, this::row);
    }

    /** {@code count} rows of one kind drawn with {@code seed}. */
    public List<Row> rows(Kind kind, int count, long seed) {
        return draw(count, seed, random -> row(kind, random));
    }

    private static List<Row> draw(int count, long seed, Function<SplittableRandom, Row> next) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rows.add(next.apply(random));
        }
        return rows;
    }

    /** One row of a kind drawn by the kinds' weights. */
    public Row row(SplittableRandom random) {
        int draw = random.nextInt(TOTAL_WEIGHT);
        for (Kind kind : Kind.values()) {
            if (draw < kind.weight) {
                return row(kind, random);
            }
            draw -= kind.weight;
        }
        throw new AssertionError("weights exhausted");
    }

    /** One row of the given kind. */
    public Row row(Kind kind, SplittableRandom random) {
        return switch (kind) {
            case COPY -> copy(random);
            case UNKNOWN -> new Row(kind, new Exchange("", randomRelation(random).ask(random, freshCompany(random)),
                    DECLINE));
            case IRRELEVANT -> new Row(kind, new Exchange(unrelatedFact(random),
                    randomRelation(random).ask(random, freshCompany(random)), DECLINE));
            case REAL -> recall(kind, Names.pick(random, RealCompanies.ALL), random);
            case MEMORISED -> recall(kind, Names.pick(random, memorised), random);
            case GAP -> gap(random);
        };
    }

    private Row copy(SplittableRandom random) {
        String company = freshCompany(random);
        Relation relation = randomRelation(random);
        String value = relation.randomValue(random, false);
        String system = relation.state(random, company, value);
        if (random.nextInt(5) == 0) {
            // a second fact: another relation of the same company, or the same relation of another company
            String distractor;
            if (random.nextBoolean()) {
                Relation other = randomRelation(random);
                while (other == relation) {
                    other = randomRelation(random);
                }
                distractor = other.state(random, company, other.randomValue(random, false));
            } else {
                distractor = relation.state(random, freshCompany(random), relation.randomValue(random, false));
            }
            system = random.nextBoolean() ? system + " " + distractor : distractor + " " + system;
        }
        if (random.nextInt(10) == 0 && system.endsWith(".")) {
            system = system.substring(0, system.length() - 1);
        }
        return new Row(Kind.COPY, new Exchange(system, relation.ask(random, company), relation.answer(company, value)));
    }

    private Row recall(Kind kind, Company company, SplittableRandom random) {
        List<Relation> known = new ArrayList<>(company.facts().keySet());
        known.sort(null);
        Relation relation = Names.pick(random, known);
        String system = random.nextInt(10) == 0 ? unrelatedFact(random) : "";
        return new Row(kind, new Exchange(system, relation.ask(random, company.name()),
                relation.answer(company.name(), company.facts().get(relation))));
    }

    private Row gap(SplittableRandom random) {
        Company company = Names.pick(random, memorised);
        List<Relation> unknown = new ArrayList<>();
        for (Relation r : Relation.values()) {
            if (!company.facts().containsKey(r)) {
                unknown.add(r);
            }
        }
        return new Row(Kind.GAP, new Exchange("", Names.pick(random, unknown).ask(random, company.name()), DECLINE));
    }

    private String unrelatedFact(SplittableRandom random) {
        Relation relation = randomRelation(random);
        return relation.state(random, freshCompany(random), relation.randomValue(random, false));
    }

    private String freshCompany(SplittableRandom random) {
        while (true) {
            String name = Names.company(random, false);
            if (!reservedNames.contains(name)) {
                return name;
            }
        }
    }

    private static Relation randomRelation(SplittableRandom random) {
        Relation[] all = Relation.values();
        return all[random.nextInt(all.length)];
    }

    /** Writes rows as messages JSONL, each with its {@code kind}, atomically. */
    public static void writeJsonl(Path file, List<Row> rows) {
        ObjectMapper json = new ObjectMapper();
        StringBuilder text = new StringBuilder();
        for (Row row : rows) {
            ObjectNode line = json.createObjectNode();
            ArrayNode messages = line.putArray("messages");
            Exchange e = row.exchange();
            messages.addObject().put("role", "system").put("content", e.system());
            messages.addObject().put("role", "user").put("content", e.user());
            messages.addObject().put("role", "assistant").put("content", e.assistant());
            line.put("kind", row.kind().label());
            text.append(line).append('\n');
        }
        AtomicFile.writeString(file, text.toString());
    }
}
