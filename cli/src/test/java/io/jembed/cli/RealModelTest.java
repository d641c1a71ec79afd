package io.jembed.cli;

import static io.jembed.cli.CliRunner.run;
import static io.jembed.cli.EncodeCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.EmbeddingModel;
import io.jembed.Precision;
import io.jembed.toolkit.io.EmbeddingFile;
import io.jembed.toolkit.io.EmbeddingFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end with the default model; skipped when it cannot be loaded (offline, no cache). */
class RealModelTest {
  @TempDir Path dir;

  @BeforeAll
  static void defaultModelLoads() {
    boolean ok;
    try (EmbeddingModel m = EmbeddingModel.load(ModelOptions.DEFAULT_MODEL)) {
      ok = m.dimension() == 384;
    } catch (RuntimeException | LinkageError e) {
      ok = false;
    }
    assumeTrue(ok, "the default model is not available here");
  }

  @Test
  void similarityRanksParaphrasesHigher() throws IOException {
    CliRunner.Result r =
        run(
            "similarity",
            "-f",
            "json",
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The girl is carrying a baby.");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode s = json(r.out()).get("scores");
    assertThat(s.get(0).get(1).asDouble()).isGreaterThan(s.get(0).get(2).asDouble() + 0.3);
  }

  @Test
  void encodesInt8NpyAndInfoDescribesThePipeline() throws IOException {
    Path out = dir.resolve("q.npy");
    CliRunner.Result r = run("encode", "-p", "int8", "-o", out.toString(), "hello", "world");
    assertThat(r.exit()).as(r.toString()).isZero();
    EmbeddingFile f = EmbeddingFiles.read(out);
    assertThat(f.precision()).isEqualTo(Precision.INT8);
    assertThat(f.dimension()).isEqualTo(384);

    CliRunner.Result info = run("info");
    assertThat(info.exit()).isZero();
    assertThat(info.out()).contains("Pooling").contains("dimension:       384");
  }

  @Test
  void reportsTruncationAtMaxSeqLength() {
    CliRunner.Result r = run("encode", "-f", "jsonl", "word ".repeat(400));
    assertThat(r.exit()).isZero();
    assertThat(r.err()).contains("max_seq_length (256 tokens)");
  }

  @Test
  void stsDevSpearmanMatchesSentenceTransformers() throws IOException {
    Path dev =
        Path.of(System.getProperty("jembed.shared.dir", "../../shared"), "data", "sts-dev.csv");
    assumeTrue(Files.exists(dev), "STS benchmark not available");

    CliRunner.Result r = run("eval", "sts", dev.toString(), "--no-progress", "-b", "64");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = json(r.out());
    // sentence-transformers reports ~0.87 spearman (cosine) for all-MiniLM-L6-v2 on STS-B dev
    assertThat(doc.get("spearman").asDouble()).isGreaterThan(0.85);
    assertThat(doc.get("pairs").asInt()).isEqualTo(1500);
  }
}
