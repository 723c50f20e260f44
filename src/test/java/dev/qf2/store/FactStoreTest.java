package dev.qf2.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FactStoreTest {

    @TempDir
    Path dir;

    @Test
    void answerInputsAreKeptWithTheFactorsAndEmptyWhenNoneWereGiven() {
        float[] inputs = new float[3 * RandomFacts.HIDDEN];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = i * 0.25f;
        }
        String with;
        String without;
        try (FactStore store = RandomFacts.open(dir)) {
            with = store.append(RandomFacts.draft(1), RandomFacts.a(1), RandomFacts.b(1), RandomFacts.rows(1),
                    inputs).id();
            without = RandomFacts.append(store, 2).id();
        }
        try (FactStore store = RandomFacts.open(dir)) {
            assertThat(store.answerInputs(with)).containsExactly(inputs);
            assertThat(store.answerInputs(without)).isEmpty();
            assertThat(store.factors(with).b()).containsExactly(RandomFacts.b(1));
        }
    }

    @Test
    void factsSurviveReopeningWithTheirFieldsAndFactors() {
        FactRecord first;
        try (FactStore store = RandomFacts.open(dir)) {
            first = RandomFacts.append(store, 1);
            RandomFacts.append(store, 2);
        }
        try (FactStore store = RandomFacts.open(dir)) {
            assertThat(store.problems()).isEmpty();
            assertThat(store.facts()).hasSize(2);
            FactRecord again = store.facts().get(0);
            assertThat(again).isEqualTo(first);
            assertThat(again.significances()).containsExactly(1, 1, 1);
            assertThat(again.rows()).isEqualTo(RandomFacts.rows(1));
            assertThat(again.base()).isEqualTo(store.baseFingerprint());
            Factors f = store.factors(first.id());
            assertThat(f.a()).containsExactly(RandomFacts.a(1));
            assertThat(f.b()).containsExactly(RandomFacts.b(1));
        }
    }

    @Test
    void materialisedWeightIsTheBasePlusEveryFactorProduct() {
        float[] base = RandomFacts.base();
        try (FactStore store = RandomFacts.open(dir)) {
            for (int k = 0; k < 4; k++) {
                RandomFacts.append(store, k);
            }
            float[] weight = store.materialise(base);
            int columns = RandomFacts.HIDDEN;
            for (int i = 0; i < RandomFacts.INTERMEDIATE; i++) {
                for (int c = 0; c < columns; c++) {
                    double expected = base[i * columns + c];
                    for (int k = 0; k < 4; k++) {
                        float[] a = RandomFacts.a(k);
                        float[] b = RandomFacts.b(k);
                        for (int t = 0; t < RandomFacts.rows(k); t++) {
                            expected += (double) a[t * RandomFacts.INTERMEDIATE + i] * b[t * columns + c];
                        }
                    }
                    assertThat((double) weight[i * columns + c]).isCloseTo(expected,
                            org.assertj.core.data.Offset.offset(1e-6));
                }
            }
        }
    }

    @Test
    void forgettingInAnyOrderLeavesTheSameWeight() {
        float[] base = RandomFacts.base();
        Path other = dir.resolve("other");
        float[] forwards;
        float[] backwards;
        try (FactStore store = RandomFacts.open(dir.resolve("one"))) {
            List<FactRecord> facts = List.of(RandomFacts.append(store, 0), RandomFacts.append(store, 1),
                    RandomFacts.append(store, 2), RandomFacts.append(store, 3));
            store.forget(facts.get(0).id());
            store.forget(facts.get(2).id());
            forwards = store.materialise(base);
            assertThat(store.facts()).extracting(RandomFacts::numberOf).containsExactly(1, 3);
        }
        try (FactStore store = RandomFacts.open(other)) {
            List<FactRecord> facts = List.of(RandomFacts.append(store, 0), RandomFacts.append(store, 1),
                    RandomFacts.append(store, 2), RandomFacts.append(store, 3));
            store.forget(facts.get(2).id());
            store.forget(facts.get(0).id());
            backwards = store.materialise(base);
        }
        float[] expected;
        try (FactStore store = RandomFacts.open(dir.resolve("only"))) {
            RandomFacts.append(store, 1);
            RandomFacts.append(store, 3);
            expected = store.materialise(base);
        }
        assertThat(forwards).containsExactly(expected);
        assertThat(backwards).containsExactly(expected);
    }

    @Test
    void forgetRemovesTheFactorFileAndRejectsUnknownIds() {
        try (FactStore store = RandomFacts.open(dir)) {
            FactRecord fact = RandomFacts.append(store, 5);
            Path file = dir.resolve(FactStore.FACTORS).resolve(fact.factorFileName());
            assertThat(file).exists();
            store.forget(fact.id());
            assertThat(file).doesNotExist();
            assertThat(store.facts()).isEmpty();
            assertThatThrownBy(() -> store.forget(fact.id()))
                    .isInstanceOf(Qf2Exception.class)
                    .hasMessageContaining("no fact " + fact.id());
        }
    }

    @Test
    void aStoreForOtherBaseWeightsLayerOrShapeIsRefused() {
        RandomFacts.open(dir).close();
        float[] otherBase = RandomFacts.base();
        otherBase[0] += 1e-3f;
        String otherPrint = FactStore.fingerprint(otherBase, RandomFacts.LAYER);
        assertThat(otherPrint).isNotEqualTo(FactStore.fingerprint(RandomFacts.base(), RandomFacts.LAYER));
        assertThatThrownBy(() -> FactStore.openOrCreate(dir, otherPrint, RandomFacts.LAYER,
                RandomFacts.INTERMEDIATE, RandomFacts.HIDDEN))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("other base weights");
        assertThatThrownBy(() -> FactStore.openOrCreate(dir, FactStore.fingerprint(RandomFacts.base(), 4), 4,
                RandomFacts.INTERMEDIATE, RandomFacts.HIDDEN))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("layer 3");
        assertThatThrownBy(() -> FactStore.openOrCreate(dir, "x", RandomFacts.LAYER, 8, RandomFacts.HIDDEN))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("another size");
    }

    @Test
    void aSecondOpenWhileTheFirstIsOpenIsRefused() {
        try (FactStore store = RandomFacts.open(dir)) {
            assertThatThrownBy(() -> RandomFacts.open(dir))
                    .isInstanceOf(Qf2Exception.class)
                    .hasMessageContaining("in use by another qf2 process");
        }
        RandomFacts.open(dir).close();
    }

    @Test
    void aDamagedFactorFileIsReportedByNameAndTheOtherFactsStillLoad() throws IOException {
        String damaged;
        try (FactStore store = RandomFacts.open(dir)) {
            RandomFacts.append(store, 1);
            damaged = RandomFacts.append(store, 2).id();
            RandomFacts.append(store, 3);
        }
        Path file = dir.resolve(FactStore.FACTORS).resolve(damaged + ".safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 3);
            raf.write(new byte[] {1, 2, 3});
        }
        try (FactStore store = RandomFacts.open(dir)) {
            float[] weight = store.materialise(RandomFacts.base());
            assertThat(store.problems()).singleElement().asString()
                    .contains("fact " + damaged, file.toString(), "digest");
            assertThat(store.facts()).extracting(RandomFacts::numberOf).containsExactly(1, 3);
            float[] expected;
            try (FactStore clean = RandomFacts.open(dir.resolve("clean"))) {
                RandomFacts.append(clean, 1);
                RandomFacts.append(clean, 3);
                expected = clean.materialise(RandomFacts.base());
            }
            assertThat(weight).containsExactly(expected);
        }
        Files.write(file, new byte[] {1, 2, 3});
        try (FactStore store = RandomFacts.open(dir)) {
            assertThat(store.problems()).singleElement().asString().contains(file.toString());
            store.forget(damaged);
            assertThat(store.problems()).isEmpty();
            assertThat(store.facts()).hasSize(2);
        }
    }

    @Test
    void anUnreadableJournalLineIsReportedAndKeptWhileTheRestLoads() throws IOException {
        try (FactStore store = RandomFacts.open(dir)) {
            RandomFacts.append(store, 1);
            RandomFacts.append(store, 2);
        }
        Path journal = dir.resolve(FactStore.JOURNAL);
        List<String> lines = Files.readAllLines(journal);
        String broken = lines.get(0).substring(0, 40);
        Files.write(journal, List.of(broken, lines.get(1)), StandardCharsets.UTF_8);
        try (FactStore store = RandomFacts.open(dir)) {
            assertThat(store.problems()).singleElement().asString().contains("journal.jsonl line 1");
            assertThat(store.facts()).extracting(RandomFacts::numberOf).containsExactly(2);
            RandomFacts.append(store, 3);
        }
        assertThat(Files.readAllLines(journal)).hasSize(3).first().isEqualTo(broken);
    }

    @Test
    void theWeightCacheIsUsedOnlyForTheJournalItWasWrittenWith() {
        float[] base = RandomFacts.base();
        float[] marker = base.clone();
        marker[0] = 42f;
        try (FactStore store = RandomFacts.open(dir)) {
            RandomFacts.append(store, 1);
            store.writeCache(marker);
        }
        try (FactStore store = RandomFacts.open(dir)) {
            assertThat(store.loadOrMaterialise(base)[0]).isEqualTo(42f);
            RandomFacts.append(store, 2);
        }
        try (FactStore store = RandomFacts.open(dir)) {
            assertThat(store.loadOrMaterialise(base)).containsExactly(store.materialise(base));
        }
    }

    @Test
    void leftoversOfAnInterruptedLearnAreRemovedOnOpen() throws IOException {
        try (FactStore store = RandomFacts.open(dir)) {
            RandomFacts.append(store, 1);
        }
        Path orphan = dir.resolve(FactStore.FACTORS).resolve("0badf00d.safetensors");
        Path temporary = dir.resolve(FactStore.FACTORS).resolve(".0badf00d.safetensors.1234.tmp");
        Files.write(orphan, new byte[] {0}, StandardOpenOption.CREATE_NEW);
        Files.write(temporary, new byte[] {0}, StandardOpenOption.CREATE_NEW);
        try (FactStore store = RandomFacts.open(dir)) {
            assertThat(store.facts()).hasSize(1);
            assertThat(store.problems()).isEmpty();
        }
        assertThat(orphan).doesNotExist();
        assertThat(temporary).doesNotExist();
    }
}
