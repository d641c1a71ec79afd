package io.jembed.cli;

import static io.jembed.cli.CliRunner.run;
import static io.jembed.cli.CliRunner.runWithStdin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.Precision;
import io.jembed.toolkit.io.EmbeddingFile;
import io.jembed.toolkit.io.EmbeddingFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncodeCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String FAKE = "fake:bow";

  @TempDir Path dir;

  static JsonNode json(String s) throws IOException {
    return JSON.readTree(s);
  }

  @Test
  void encodesArgumentsToJsonOnStdout() throws IOException {
    CliRunner.Result r = run("encode", "-m", FAKE, "A man is eating food.", "A cat sleeps.");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = json(r.out());
    assertThat(doc.get("dimension").asInt()).isEqualTo(32);
    assertThat(doc.get("model").get("id").asText()).isEqualTo("bow-32");
    assertThat(doc.get("texts").get(1).asText()).isEqualTo("A cat sleeps.");
    assertThat(doc.get("embeddings")).hasSize(2);
    double norm = 0;
    for (JsonNode x : doc.get("embeddings").get(0)) {
      norm += x.asDouble() * x.asDouble();
    }
    assertThat(norm).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
    assertThat(r.err()).isEmpty();
  }

  @Test
  void encodesAFileToNpyWithTheModelRecorded() throws IOException {
    Path in = Files.writeString(dir.resolve("in.txt"), "first line\n\nsecond line\nthird\n");
    Path out = dir.resolve("out.npy");

    CliRunner.Result r = run("encode", "-m", FAKE, "--input", in.toString(), "-o", out.toString());

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("skipped 1 blank lines").contains("wrote 3 embeddings");
    EmbeddingFile f = EmbeddingFiles.read(out);
    assertThat(f.size()).isEqualTo(3);
    assertThat(f.model().id()).isEqualTo("bow-32");
    assertThat(f.texts()).containsExactly("first line", "second line", "third");
    assertThat(dir.resolve("out.npy.json")).exists();
  }

  @Test
  void readsStdinWhenNoTextsAreGiven() throws IOException {
    CliRunner.Result r =
        runWithStdin(
            "one\ntwo\n".getBytes(StandardCharsets.UTF_8), "encode", "-m", FAKE, "-f", "jsonl");

    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(json(lines.get(1)).get("text").asText()).isEqualTo("two");
    assertThat(json(lines.get(1)).get("index").asInt()).isEqualTo(1);
  }

  @Test
  void csvAndOptionsThatChangeTheVectors() throws IOException {
    CliRunner.Result r =
        run("encode", "-m", FAKE, "-f", "csv", "--truncate-dim", "8", "--no-normalize", "a b c");

    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("text,dim_0,dim_1,dim_2,dim_3,dim_4,dim_5,dim_6,dim_7");
    assertThat(lines).hasSize(2);
    // raw bag-of-words counts (not unit length): the bias 0.5 plus word counts
    assertThat(lines.get(1)).startsWith("a b c,");
  }

  @Test
  void promptNameChangesTheVector() throws IOException {
    JsonNode plain = json(run("encode", "-m", FAKE, "what is this").out());
    JsonNode query =
        json(run("encode", "-m", FAKE, "--prompt-name", "query", "what is this").out());
    JsonNode literal = json(run("encode", "-m", FAKE, "--prompt", "query: ", "what is this").out());

    assertThat(query.get("embeddings")).isNotEqualTo(plain.get("embeddings"));
    assertThat(literal.get("embeddings")).isEqualTo(query.get("embeddings"));
  }

  @Test
  void quantizedOutputIsIntegers() throws IOException {
    Path out = dir.resolve("q.jsonl");
    CliRunner.Result r = run("encode", "-m", FAKE, "-p", "int8", "-o", out.toString(), "x y");

    assertThat(r.exit()).as(r.toString()).isZero();
    EmbeddingFile f = EmbeddingFiles.read(out);
    assertThat(f.precision()).isEqualTo(Precision.INT8);
    assertThat(Files.readString(out)).doesNotContain(".");
  }

  @Test
  void reportsTruncatedInputs() {
    String longText = "word ".repeat(FakeModelProvider.MAX_WORDS + 5);
    CliRunner.Result r = run("encode", "-m", FAKE, "short", longText);

    assertThat(r.exit()).isZero();
    assertThat(r.err())
        .contains("1 of 2 texts were longer than bow-32's max_seq_length (16 tokens)");
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertUsage(run("encode", "-m", FAKE, "-f", "parquet", "x"), "unknown embedding format");
    assertUsage(run("encode", "-m", FAKE, "-p", "int4", "x"), "unknown precision 'int4'");
    assertUsage(run("encode", "-m", FAKE, "-f", "npy", "x"), "--output");
    assertUsage(run("encode", "-m", FAKE, "--frobnicate", "x"), "Unknown option");
    assertUsage(run("encode", "-m", FAKE, "-o", dir.resolve("x.txt").toString(), "x"), "extension");
    assertUsage(run("encode", "-m", FAKE, "-b", "0", "x"), "batch size");
    assertUsage(run("encode", "-m", FAKE, "-i", "f.txt", "x"), "not both");
    assertUsage(run("encode", "-m", FAKE, "-i"), "Missing required parameter");
    assertUsage(run("encode", "-m", FAKE, "-b", "many", "x"), "'many'");
  }

  @Test
  void aTruncateDimLargerThanTheModelIsAUsageErrorNamingBoth() {
    CliRunner.Result r = run("encode", "-m", FAKE, "--truncate-dim", "999", "x");
    assertUsage(r, "--truncate-dim 999");
    assertThat(r.err()).contains("32");
    assertThat(run("encode", "-m", FAKE, "--truncate-dim", "32", "x").exit()).isZero();
  }

  /** Exit 2 and one line on stderr: the problem, then where the command's help is. */
  static void assertUsage(CliRunner.Result r, String message) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
    assertThat(r.err())
        .startsWith("jembed: ")
        .contains(message)
        .containsPattern("; see jembed( [a-z]+)* --help\\R$");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void badInputFilesFailWithOneLine() throws IOException {
    assertFailure(
        run("encode", "-m", FAKE, "-i", dir.resolve("missing.txt").toString()),
        "input file not found");
    Path empty = Files.writeString(dir.resolve("empty.txt"), "\n  \n");
    assertFailure(run("encode", "-m", FAKE, "-i", empty.toString()), "no texts to encode");
    Path bin = Files.write(dir.resolve("bin.dat"), new byte[] {1, 2, (byte) 0xff, (byte) 0xfe, 0});
    assertFailure(run("encode", "-m", FAKE, "-i", bin.toString()), "not UTF-8 text");
    Path nul = Files.write(dir.resolve("nul.dat"), new byte[] {'a', 0, 'b', '\n'});
    assertFailure(run("encode", "-m", FAKE, "-i", nul.toString()), "looks binary");
    assertFailure(run("encode", "-m", "fake:nothing", "x"), "does not exist");
  }

  static void assertFailure(CliRunner.Result r, String message) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.err()).startsWith("jembed: error: ").contains(message);
  }

  @Test
  void verboseAddsTheStackTrace() {
    CliRunner.Result r =
        run("encode", "--verbose", "-m", FAKE, "-i", dir.resolve("missing.txt").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("input file not found").contains("\tat io.jembed.");
  }

  @Provide
  Arbitrary<List<String>> lines() {
    Arbitrary<String> line =
        Arbitraries.strings()
            .withChars("abc ,\"';\t\\é中")
            .withCharRange('!', '~')
            .ofMinLength(0)
            .ofMaxLength(30)
            .map(s -> s.length() % 4 == 1 ? s + "😀" : s); // whole surrogate pairs only
    return line.list().ofMinSize(1).ofMaxSize(15);
  }

  @Property(tries = 40)
  void everyNonBlankLineIsEncodedOnceInOrder(@ForAll("lines") List<String> input)
      throws IOException {
    String joined = String.join("\n", input) + "\n";
    CliRunner.Result r =
        runWithStdin(joined.getBytes(StandardCharsets.UTF_8), "encode", "-m", FAKE, "-f", "json");
    List<String> expected = new ArrayList<>();
    for (String s : input) {
      if (!s.isBlank()) {
        expected.add(s.startsWith("\uFEFF") ? s.substring(1) : s);
      }
    }
    if (expected.isEmpty()) {
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("no texts to encode");
      return;
    }
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode doc = json(r.out());
    List<String> texts = new ArrayList<>();
    doc.get("texts").forEach(t -> texts.add(t.asText()));
    assertThat(texts).isEqualTo(expected);
    assertThat(doc.get("embeddings")).hasSize(expected.size());
  }
}
