package dev.qf2.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qf2.eval.Protocol;
import dev.qf2.eval.ProtocolTrials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompanyCorpusTest {

    private final CompanyCorpus corpus = new CompanyCorpus(0, 50);

    @Test
    void sameSeedsGiveTheSameRows() {
        List<CompanyCorpus.Row> first = new CompanyCorpus(7, 30).rows(300, 11);
        List<CompanyCorpus.Row> second = new CompanyCorpus(7, 30).rows(300, 11);

        assertThat(second).isEqualTo(first);
        assertThat(new CompanyCorpus(7, 30).rows(300, 12)).isNotEqualTo(first);
    }

    @Test
    void rowSeedDoesNotChangeTheMemorisedCompanies() {
        CompanyCorpus a = new CompanyCorpus(3, 40);
        a.rows(100, 1);
        CompanyCorpus b = new CompanyCorpus(3, 40);
        b.rows(100, 2);

        assertThat(b.memorised()).isEqualTo(a.memorised());
        assertThat(a.memorised()).hasSize(40);
        assertThat(a.memorised()).allSatisfy(c -> assertThat(c.facts()).containsKeys(Relation.CEO, Relation.FOUNDER)
                .hasSize(3));
    }

    @Test
    void copyRowsRestateTheFactFromTheSystemLine() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            CompanyCorpus.Row row = corpus.row(CompanyCorpus.Kind.COPY, random);
            String answer = row.exchange().assistant();
            String[] parts = companyAndValue(answer);

            assertThat(row.exchange().system()).as(answer).contains(parts[0]).contains(parts[1]);
        }
    }

    @Test
    void unknownAndIrrelevantRowsDecline() {
        SplittableRandom random = new SplittableRandom(9);
        for (CompanyCorpus.Kind kind : List.of(CompanyCorpus.Kind.UNKNOWN, CompanyCorpus.Kind.IRRELEVANT,
                CompanyCorpus.Kind.GAP)) {
            CompanyCorpus.Row row = corpus.row(kind, random);

            assertThat(row.exchange().assistant()).isEqualTo(CompanyCorpus.DECLINE);
        }
        assertThat(corpus.row(CompanyCorpus.Kind.UNKNOWN, random).exchange().system()).isEmpty();
        assertThat(corpus.row(CompanyCorpus.Kind.IRRELEVANT, random).exchange().system()).isNotEmpty();
    }

    @Test
    void memorisedRowsAlwaysGiveTheSameAnswerForAQuestion() {
        Map<String, String> answers = new java.util.HashMap<>();
        for (CompanyCorpus.Row row : corpus.rows(20000, 4)) {
            if (row.kind() == CompanyCorpus.Kind.MEMORISED || row.kind() == CompanyCorpus.Kind.REAL) {
                String previous = answers.putIfAbsent(row.exchange().user(), row.exchange().assistant());
                assertThat(previous == null || previous.equals(row.exchange().assistant()))
                        .as(row.exchange().user()).isTrue();
            }
        }
        assertThat(answers.get("Who is the CEO of Nvidia?")).isEqualTo("The CEO of Nvidia is Jensen Huang.");
    }

    @Test
    void everyKindAppearsRoughlyInProportionToItsWeight() {
        Map<CompanyCorpus.Kind, Integer> counts = new EnumMap<>(CompanyCorpus.Kind.class);
        for (CompanyCorpus.Row row : corpus.rows(10000, 1)) {
            counts.merge(row.kind(), 1, Integer::sum);
        }

        assertThat(counts.get(CompanyCorpus.Kind.COPY)).isBetween(3700, 4300);
        assertThat(counts.get(CompanyCorpus.Kind.GAP)).isBetween(300, 500);
    }

    @Test
    void heldOutAndReservedNamesNeverAppearInRows() {
        for (CompanyCorpus.Row row : corpus.rows(5000, 3)) {
            String text = row.exchange().system() + " " + row.exchange().user() + " " + row.exchange().assistant();
            assertThat(text).doesNotContain("Oxinnovate").doesNotContainPattern("\\bQi\\b");
            if (row.kind() == CompanyCorpus.Kind.COPY) {
                String[] parts = companyAndValue(row.exchange().assistant());
                assertThat(Names.isHeldOut(parts[0])).as(parts[0]).isFalse();
                boolean person = row.exchange().assistant().startsWith("The CEO")
                        || row.exchange().assistant().startsWith("The founder");
                assertThat(person && Names.isHeldOut(parts[1])).as(parts[1]).isFalse();
            }
        }
    }

    @Test
    void trialSubjectsAreHeldOutNamesAndDiffer() {
        List<Protocol.Subject> subjects = ProtocolTrials.randomSubjects(20, 1);

        assertThat(subjects).hasSize(20).doesNotHaveDuplicates();
        assertThat(subjects).allSatisfy(s -> {
            assertThat(Names.isHeldOut(s.company())).isTrue();
            assertThat(Names.isHeldOut(s.person())).isTrue();
        });
        assertThat(ProtocolTrials.randomSubjects(20, 1)).isEqualTo(subjects);
    }

    @Test
    void generatedNamesFallOnTheRequestedSideOfTheSplit() {
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 500; i++) {
            assertThat(Names.isHeldOut(Names.company(random, false))).isFalse();
            assertThat(Names.isHeldOut(Names.person(random, false))).isFalse();
        }
        assertThat(Names.isHeldOut("Oxinnovate")).isTrue();
        assertThat(Names.isHeldOut("Qi")).isTrue();
    }

    @Test
    void writtenFileHasOneMessagesRowPerLineWithItsKind(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rows.jsonl");
        List<CompanyCorpus.Row> rows = corpus.rows(5, 1);

        CompanyCorpus.writeJsonl(file, rows);

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(5);
        assertThat(dev.qf2.text.Exchange.readJsonl(file)).containsExactlyElementsOf(
                rows.stream().map(CompanyCorpus.Row::exchange).toList());
        assertThat(lines.get(0)).contains("\"kind\":\"" + rows.get(0).kind().label() + "\"");
    }

    /** The company and the value an answer sentence names, matched against the answer templates. */
    private static String[] companyAndValue(String answer) {
        for (Relation relation : Relation.values()) {
            String template = relation.answerTemplate();
            String regex = Pattern.quote(template).replace("{C}", "\\E(.+?)\\Q").replace("{V}", "\\E(.+)\\Q");
            var m = Pattern.compile(regex).matcher(answer);
            if (m.matches()) {
                boolean valueFirst = template.indexOf("{V}") < template.indexOf("{C}");
                return valueFirst ? new String[] {m.group(2), m.group(1)} : new String[] {m.group(1), m.group(2)};
            }
        }
        throw new AssertionError("no template matches " + answer);
    }
}
