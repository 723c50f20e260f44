package dev.qf2.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.checkpoint.Qwen2TensorLayout;
import dev.qf2.checkpoint.TensorStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyModelsTest {

    @TempDir
    Path dir;

    @Test
    void writesAValidTinyModelIntoTheGivenDirectory() {
        Path model = TinyModels.write(dir, 11);

        ModelDirectory opened = ModelDirectory.open(model);
        assertThat(opened.config().hiddenSize()).isEqualTo(32);
        try (TensorStore store = opened.openWeights()) {
            Qwen2TensorLayout.validate(store, opened.config());
            assertThat(store.tensors()).hasSize(Qwen2TensorLayout.expectedShapes(opened.config()).size());
        }
    }
}
