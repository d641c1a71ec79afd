package io.jembed.cli;

import static io.jembed.cli.CliRunner.run;
import static io.jembed.cli.EncodeCommandTest.assertFailure;
import static io.jembed.cli.EncodeCommandTest.assertUsage;
import static io.jembed.cli.EncodeCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtherCommandsTest {
  static final String FAKE = EncodeCommandTest.FAKE;
  @TempDir Path dir;

  @Test
  void similarityPrintsAnAlignedTable() {
    String longText = "a rather long sentence that will certainly be shortened in the table";
    CliRunner.Result r = run("similarity", "-m", FAKE, "a cat", "a cat sat", longText);

    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).isEqualTo("cosine similarity, bow-32");
    assertThat(lines.get(2)).startsWith("0  1.0000");
    assertThat(lines.get(4)).contains("1.0000").contains("…").doesNotContain("in the table");
    // every score column lines up
    int col = lines.get(2).indexOf("1.0000");
    assertThat(lines.get(3).substring(col, col + 6)).matches("[ \\-]?\\d\\.\\d{4}|\\d\\.\\d{4}.?");
  }

  @Test
  void similarityAsJsonIsASymmetricMatrix() throws IOException {
    CliRunner.Result r =
        run("similarity", "-m", FAKE, "--format", "json", "-s", "dot", "a b", "b c", "c d");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = json(r.out());
    assertThat(doc.get("similarity").asText()).isEqualTo("dot");
    JsonNode s = doc.get("scores");
    assertThat(s).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(s.get(i).get(i).asDouble()).isCloseTo(1.0, within(1e-5));
      for (int j = 0; j < 3; j++) {
        assertThat(s.get(i).get(j).asDouble()).isEqualTo(s.get(j).get(i).asDouble());
      }
    }
  }

  @Test
  void similarityUsage() {
    assertUsage(run("similarity", "-m", FAKE, "alone"), "TEXT");
    assertUsage(run("similarity", "-m", FAKE, "-s", "jaccard", "a", "b"), "jaccard");
    assertUsage(run("similarity", "-m", FAKE, "-f", "xml", "a", "b"), "xml");
  }

  @Test
  void infoShowsThePipelineAndSettings() throws IOException {
    CliRunner.Result r = run("info", "-m", FAKE);

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .startsWith("BagOfWords(dimension=32)")
        .contains("dimension:       32")
        .contains("max_seq_length:  16 tokens")
        .contains("similarity:      cosine")
        .contains("prompt query:    \"query: \"")
        .contains("loaded from:     fake API");

    JsonNode doc = json(run("info", "-m", FAKE, "-f", "json").out());
    assertThat(doc.get("dimension").asInt()).isEqualTo(32);
    assertThat(doc.get("identity").asText()).startsWith("fake:bow-32");
    assertThat(doc.get("pipeline").asText()).isEqualTo("BagOfWords(dimension=32)");
  }

  @Test
  void modelsListsTheBundledModels() throws IOException {
    CliRunner.Result r = run("models");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out().lines().filter(l -> l.startsWith("all-MiniLM-L6-v2 ")).findFirst())
        .hasValueSatisfying(l -> assertThat(l).contains("384").contains("mean").contains("256"));
    assertThat(r.out()).contains("bge-small-en-v1.5").contains("cls").contains("512");

    JsonNode doc = json(run("models", "--format", "json").out());
    assertThat(doc.size()).isGreaterThanOrEqualTo(3);
    assertThat(doc.get(0).get("name").asText()).isEqualTo("all-MiniLM-L6-v2");
    assertThat(doc.get(0).get("dimension").asInt()).isEqualTo(384);
  }

  @Test
  void evalStsPrintsJson() throws IOException {
    StringBuilder sb = new StringBuilder();
    String[][] rows = {
      {"5.0", "a cat sits on the mat", "a cat sits on the mat"},
      {"3.8", "a cat sits on the mat", "a cat sits on a mat"},
      {"2.0", "a dog runs", "a dog sleeps all day"},
      {"0.0", "stocks fell today", "a cat sits on the mat"},
    };
    for (String[] row : rows) {
      sb.append("g\tf\t2012\t1\t").append(row[0]).append('\t').append(row[1]).append('\t');
      sb.append(row[2]).append('\n');
    }
    Path f = Files.writeString(dir.resolve("sts.csv"), sb.toString());

    CliRunner.Result r = run("eval", "sts", f.toString(), "-m", FAKE, "-b", "2");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = json(r.out());
    assertThat(doc.get("model").asText()).isEqualTo("bow-32");
    assertThat(doc.get("pairs").asInt()).isEqualTo(4);
    assertThat(doc.get("spearman").asDouble()).isBetween(-1.0, 1.0);
    assertThat(doc.get("pearson").asDouble()).isBetween(-1.0, 1.0);
  }

  @Test
  void evalStsWithAnUndefinedCorrelationFailsInsteadOfPrintingNaN() throws IOException {
    String constantGold =
        "g\tf\t2012\t1\t2.5\ta cat\ta dog\n"
            + "g\tf\t2012\t2\t2.5\ta cat sat\tstocks fell\n"
            + "g\tf\t2012\t3\t2.5\train\train today\n";
    Path gold = Files.writeString(dir.resolve("constant.csv"), constantGold);
    CliRunner.Result r = run("eval", "sts", gold.toString(), "-m", FAKE);
    assertFailure(r, "all 3 pairs score 2.5");
    assertThat(r.out()).isEmpty();

    // every pair is a sentence with itself: the model's similarities are all 1
    String sameSimilarity =
        "g\tf\t2012\t1\t5.0\ta cat\ta cat\n"
            + "g\tf\t2012\t2\t1.0\tstocks fell\tstocks fell\n"
            + "g\tf\t2012\t3\t3.0\train\train\n";
    Path same = Files.writeString(dir.resolve("same.csv"), sameSimilarity);
    CliRunner.Result s = run("eval", "sts", same.toString(), "-m", FAKE);
    assertFailure(s, "the same cosine similarity");
    assertThat(s.out()).isEmpty();
  }

  @Test
  void evalStsBadInput() throws IOException {
    assertFailure(run("eval", "sts", dir.resolve("none.csv").toString(), "-m", FAKE), "not found");
    Path bad = Files.writeString(dir.resolve("bad.csv"), "a,b,c\n");
    assertFailure(run("eval", "sts", bad.toString(), "-m", FAKE), "line 1");
    Path bin = Files.write(dir.resolve("bin.csv"), new byte[] {(byte) 0xc3, 0x28});
    assertFailure(run("eval", "sts", bin.toString(), "-m", FAKE), "not a UTF-8 text file");
    assertUsage(run("eval", "sts"), "FILE");
    assertUsage(run("eval"), "missing benchmark");
    assertUsage(run("eval", "glue", "x"), "glue");
  }

  @Test
  void noCommandIsAOneLineUsageError() {
    CliRunner.Result r = run();
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo("jembed: missing command; see jembed --help" + System.lineSeparator());
    assertThat(r.out()).isEmpty();

    CliRunner.Result help = run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("encode").contains("similarity").contains("models");
  }

  @Test
  void everyUsageErrorIsOneLine() {
    assertUsage(run("--frobnicate"), "Unknown option");
    assertUsage(run("frobnicate"), "frobnicate");
    assertUsage(run("similarity", "-m", FAKE, "--frobnicate", "a", "b"), "Unknown option");
    assertUsage(run("models", "--frobnicate"), "Unknown option");
    assertUsage(run("info", "-f", "yaml"), "unknown format 'yaml'");
    assertUsage(run("eval", "sts", "f.csv", "-m", FAKE, "-s", "jaccard"), "jaccard");
    assertUsage(run("chunk", "--frobnicate"), "jembed chunk --help");
    assertUsage(run("search", "--frobnicate"), "jembed search --help");
    assertUsage(run("mine", "--frobnicate"), "jembed mine --help");
    assertUsage(run("cluster", "--frobnicate"), "jembed cluster --help");
    assertUsage(run("plot", "--frobnicate"), "jembed plot --help");
  }
}
