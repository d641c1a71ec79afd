package io.jembed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.EmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkCommandTest {
  @TempDir Path dir;

  @Test
  void chunksALongDocumentWithinTheDefaultModelsBudget() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int p = 0; p < 12; p++) {
      sb.append("Paragraph ").append(p).append(". ");
      sb.append("Embeddings turn text into vectors that capture meaning. ".repeat(8));
      sb.append("\n\n");
    }
    String text = sb.toString();
    Path file = Files.writeString(dir.resolve("long.md"), text);
    CliRun run =
        CliRun.of("chunk", file.toString(), "-f", "json", "--max-tokens", "128", "--overlap", "16");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode chunks = Json.MAPPER.readTree(run.out());
    assertThat(chunks.size()).isGreaterThan(3);
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      int previousStart = -1;
      for (JsonNode c : chunks) {
        String chunk = c.get("text").asText();
        assertThat(text.substring(c.get("start").asInt(), c.get("end").asInt())).isEqualTo(chunk);
        assertThat(c.get("tokens").asInt())
            .isEqualTo(model.countTokens(chunk))
            .isLessThanOrEqualTo(128);
        assertThat(c.get("start").asInt()).isGreaterThan(previousStart);
        previousStart = c.get("start").asInt();
      }
    }
    assertThat(chunks.get(chunks.size() - 1).get("end").asInt()).isEqualTo(text.strip().length());
  }

  @Test
  void textAndJsonLinesOutput() throws IOException {
    Path file =
        Files.writeString(dir.resolve("doc.txt"), "one two three four.\n\nfive six seven eight.");
    CliRun text = CliRun.of("chunk", file.toString(), "-m", "fake:bow", "--max-tokens", "5");
    assertThat(text.exitCode()).as(text.err()).isZero();
    assertThat(text.out())
        .isEqualTo(
            "--- chunk 1: chars 0-19, 4 tokens\none two three four.\n--- chunk 2: chars 21-42, 4 tokens\nfive six seven eight.\n");
    CliRun jsonl =
        CliRun.of("chunk", file.toString(), "-m", "fake:bow", "--max-tokens", "5", "-f", "jsonl");
    assertThat(jsonl.out().lines()).hasSize(2);
    assertThat(Json.MAPPER.readTree(jsonl.out().lines().toList().get(1)).get("start").asInt())
        .isEqualTo(21);
  }

  @Test
  void badFilesAndSettingsAreRefused() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty.txt"), "  \n");
    CliRun e = CliRun.of("chunk", empty.toString(), "-m", "fake:bow");
    assertThat(e.exitCode()).isEqualTo(1);
    assertThat(e.err()).contains("empty.txt is empty");
    Path binary = Files.write(dir.resolve("x.bin"), new byte[] {1, 0, 2});
    assertThat(CliRun.of("chunk", binary.toString(), "-m", "fake:bow").err()).contains("binary");
    Path doc = Files.writeString(dir.resolve("d.txt"), "some text");
    CliRun overlap =
        CliRun.of("chunk", doc.toString(), "-m", "fake:bow", "--max-tokens", "4", "--overlap", "4");
    assertThat(overlap.exitCode()).isEqualTo(2);
    assertThat(overlap.err()).contains("overlap");
    assertThat(CliRun.of("chunk", doc.toString(), "-m", "fake:bow", "-f", "csv").exitCode())
        .isEqualTo(2);
  }
}
