package io.jembed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.EmbeddingModel;
import io.jembed.toolkit.io.EmbeddingFiles;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchEmbeddingsFileTest {
  @TempDir Path dir;

  @Test
  void searchesSavedVectorsAndRefusesAnotherModels() throws Exception {
    List<String> texts = List.of("cats purr softly", "dogs bark loudly", "birds sing at dawn");
    Path file = dir.resolve("vectors.npy");
    try (EmbeddingModel model = EmbeddingModel.load("fake:bow")) {
      EmbeddingFiles.write(
          file, null, model.encode(texts, io.jembed.EncodeOptions.defaults()), texts);
    }
    CliRun run =
        CliRun.of(
            "search",
            "-m",
            "fake:bow",
            "-e",
            file.toString(),
            "-q",
            "dogs bark",
            "-k",
            "1",
            "-f",
            "json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode hit = Json.MAPPER.readTree(run.out()).get(0).get(0);
    assertThat(hit.get("id").asText()).isEqualTo("2");
    assertThat(hit.get("text").asText()).isEqualTo("dogs bark loudly");

    CliRun other = CliRun.of("search", "-m", "fake:bow-64", "-e", file.toString(), "-q", "dogs");
    assertThat(other.exitCode()).isEqualTo(1);
    assertThat(other.err()).contains("not comparable").contains("bow-32").contains("bow-64");

    CliRun both =
        CliRun.of(
            "search",
            "-m",
            "fake:bow",
            "-e",
            file.toString(),
            "--corpus",
            file.toString(),
            "-q",
            "x");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("either --corpus or --embeddings");
  }
}
