package dev.qf2.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.checkpoint.SafeTensorsFile;
import dev.qf2.model.FiringBlock;
import dev.qf2.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training runs on a tiny random model: learning, saving, resuming and refusing what cannot be resumed. */
class TrainerTest {

    @TempDir
    Path dir;

    private static List<TrainingExample> rows(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TrainingExample> rows = new ArrayList<>();
        for (int r = 0; r < count; r++) {
            int[] ids = new int[6 + random.nextInt(10)];
            // a learnable pattern: each token is the previous one plus one
            ids[0] = random.nextInt(250);
            for (int i = 1; i < ids.length; i++) {
                ids[i] = ids[i - 1] + 1;
            }
            rows.add(new TrainingExample(ids, ids.length / 2));
        }
        return rows;
    }

    /** Constant rate after a warm-up, so that a run's first steps do not depend on its length. */
    private static TrainingOptions options(long steps, FiringBlock block, int saveEvery) {
        return new TrainingOptions(block == null ? List.of() : List.of(0, 1), block, 0.7, 3e-3,
                TrainingOptions.Schedule.CONSTANT, 2, steps, 4, 7, LossScope.ALL, 1.0, 64, 2, saveEvery,
                AdamW.Settings.DEFAULT);
    }

    private ModelDirectory tiny() {
        return ModelDirectory.open(TinyModels.write(dir.resolve("tiny"), 3));
    }

    @Test
    void theLossFallsOnALearnablePattern() {
        List<TrainingExample> rows = rows(64, 1);
        try (Trainer trainer = Trainer.start(tiny(), dir.resolve("out"), options(40, null, 0))) {
            double before = trainer.validationLoss(rows);
            trainer.run(rows, List.of(), new Trainer.Listener() {});
            assertThat(trainer.validationLoss(rows)).isLessThan(before - 0.5);
        }
    }

    @Test
    void aResumedRunEndsWithTheSameWeightsAndMomentsAsAnUninterruptedOne() throws IOException {
        ModelDirectory source = tiny();
        List<TrainingExample> rows = rows(30, 2);
        FiringBlock block = FiringBlock.at(1, 10);
        try (Trainer straight = Trainer.start(source, dir.resolve("straight"), options(8, block, 0))) {
            straight.run(rows, rows.subList(0, 5), new Trainer.Listener() {});
        }
        try (Trainer first = Trainer.start(source, dir.resolve("resumed"), options(3, block, 0))) {
            first.run(rows, rows.subList(0, 5), new Trainer.Listener() {});
        }
        try (Trainer second = Trainer.resume(source, dir.resolve("resumed"), options(8, block, 0))) {
            assertThat(second.stepsTaken()).isEqualTo(3);
            second.run(rows, rows.subList(0, 5), new Trainer.Listener() {});
        }
        for (String file : List.of("model.safetensors", Trainer.STATE_FILE)) {
            assertThat(Files.readAllBytes(dir.resolve("resumed").resolve(file)))
                    .as(file).isEqualTo(Files.readAllBytes(dir.resolve("straight").resolve(file)));
        }
        List<String> log = Files.readAllLines(dir.resolve("resumed").resolve(Trainer.LOG_FILE));
        assertThat(log).extracting(line -> new ObjectMapper().readTree(line).get("step").asLong())
                .containsExactly(2L, 3L, 4L, 6L, 8L);
    }

    @Test
    void theOutputIsACheckpointWithTheFiringBlockInItsConfig() {
        List<TrainingExample> rows = rows(10, 3);
        try (Trainer trainer = Trainer.start(tiny(), dir.resolve("out"), options(2, FiringBlock.at(1, 10), 0))) {
            trainer.run(rows, List.of(), new Trainer.Listener() {});
        }
        ModelDirectory out = ModelDirectory.open(dir.resolve("out"));
        assertThat(out.config().qflayer()).contains(1);
        assertThat(out.config().qfbeta()).contains(10.0);
        assertThat(out.config().qfcoeff()).contains(0.7);
        try (SafeTensorsFile weights = SafeTensorsFile.open(dir.resolve("out/model.safetensors"));
                SafeTensorsFile original = SafeTensorsFile.open(dir.resolve("tiny/model.safetensors"))) {
            assertThat(weights.tensors().keySet()).isEqualTo(original.tensors().keySet());
            // only layers 0 and 1 train; the embedding stays as it was
            assertThat(weights.readFloats("model.embed_tokens.weight"))
                    .containsExactly(original.readFloats("model.embed_tokens.weight"));
            assertThat(weights.readFloats("model.layers.1.mlp.up_proj.weight"))
                    .isNotEqualTo(original.readFloats("model.layers.1.mlp.up_proj.weight"));
        }
    }

    @Test
    void resumingWithOtherSettingsIsRefusedByName() {
        ModelDirectory source = tiny();
        List<TrainingExample> rows = rows(10, 4);
        try (Trainer trainer = Trainer.start(source, dir.resolve("out"), options(2, FiringBlock.at(1, 10), 0))) {
            trainer.run(rows, List.of(), new Trainer.Listener() {});
        }
        assertThatThrownBy(() -> Trainer.resume(source, dir.resolve("out"), options(4, FiringBlock.at(1, 20), 0)))
                .isInstanceOf(Qf2Exception.class).hasMessageContaining("beta 10.0 then, 20.0 now");
    }

    @Test
    void startingInADirectoryWithFilesOrResumingWithoutStateIsRefused() throws IOException {
        ModelDirectory source = tiny();
        Files.createDirectories(dir.resolve("busy"));
        Files.writeString(dir.resolve("busy/notes.txt"), "keep");
        assertThatThrownBy(() -> Trainer.start(source, dir.resolve("busy"), options(2, null, 0)))
                .isInstanceOf(Qf2Exception.class).hasMessageContaining("already holds files");
        assertThatThrownBy(() -> Trainer.resume(source, dir.resolve("busy"), options(2, null, 0)))
                .isInstanceOf(Qf2Exception.class).hasMessageContaining("no saved run");
    }

    @Test
    void aLayerThatDoesNotExistIsRefused() {
        TrainingOptions options = new TrainingOptions(List.of(5), FiringBlock.at(1, 10), 0.9, 1e-3,
                TrainingOptions.Schedule.CONSTANT, 0, 2, 1, 1, LossScope.ALL, 1.0, 64, 0, 0, AdamW.Settings.DEFAULT);
        assertThatThrownBy(() -> Trainer.start(tiny(), dir.resolve("out"), options))
                .isInstanceOf(Qf2Exception.class).hasMessageContaining("layer 5 does not exist");
    }
}
