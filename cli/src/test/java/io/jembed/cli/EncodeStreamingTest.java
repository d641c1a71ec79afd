package io.jembed.cli;

import static io.jembed.cli.CliRunner.run;
import static io.jembed.cli.CliRunner.runWithStdin;
import static io.jembed.cli.EncodeCommandTest.assertFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.EmbeddingModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code encode --input} to .npy, .jsonl and .csv reads, encodes and writes a group of texts at a
 * time, and writes the same bytes as encoding everything in one call (the texts given as
 * arguments): for inputs of one group and of several, from a file and from stdin, to a file and to
 * stdout. A bad line fails before anything is encoded (a file) or leaves no output (stdin).
 */
class EncodeStreamingTest {
  static final String FAKE = EncodeCommandTest.FAKE;

  @TempDir Path dir;

  @Test
  void aFileOfSeveralGroupsGivesTheBytesOfOneCall() throws IOException {
    List<String> texts = new ArrayList<>();
    StringBuilder file = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      String text = "sentence " + i + (i % 7 == 0 ? ", with \"quotes\" and é" : " plain words");
      texts.add(text);
      file.append(text).append(i % 1000 == 0 ? "\n\n" : "\n");
    }
    Path in = Files.writeString(dir.resolve("in.txt"), file.toString());
    for (String ext : List.of("npy", "jsonl", "csv")) {
      for (List<String> extra : List.of(List.<String>of(), List.of("-p", "int8", "--no-texts"))) {
        Path streamed = dir.resolve("streamed." + ext);
        Path whole = dir.resolve("whole." + ext);
        List<String> args = new ArrayList<>(List.of("encode", "-m", FAKE, "--no-progress"));
        args.addAll(extra);
        CliRunner.Result r =
            run(concat(args, List.of("-i", in.toString(), "-o", streamed.toString())));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("skipped 20 blank lines").contains("wrote 20000 embeddings");
        args.addAll(List.of("-o", whole.toString()));
        CliRunner.Result one = run(concat(args, texts));
        assertThat(one.exit()).as(one.toString()).isZero();
        assertSameFiles(streamed, whole);
      }
    }
  }

  @Test
  void stdinAndStdoutStreamToo() throws IOException {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 9_000; i++) {
      texts.add("line " + i + " of the input");
    }
    byte[] stdin = (String.join("\n", texts) + "\n").getBytes(StandardCharsets.UTF_8);
    for (String format : List.of("jsonl", "csv")) {
      CliRunner.Result streamed = runWithStdin(stdin, "encode", "-m", FAKE, "-f", format);
      assertThat(streamed.exit()).as(streamed.toString()).isZero();
      CliRunner.Result whole = run(concat(List.of("encode", "-m", FAKE, "-f", format), texts));
      assertThat(streamed.out()).isEqualTo(whole.out());
    }
    Path fromStdin = dir.resolve("stdin.npy");
    Path whole = dir.resolve("whole.npy");
    assertThat(runWithStdin(stdin, "encode", "-m", FAKE, "-o", fromStdin.toString()).exit())
        .isZero();
    assertThat(run(concat(List.of("encode", "-m", FAKE, "-o", whole.toString()), texts)).exit())
        .isZero();
    assertSameFiles(fromStdin, whole);
  }

  @Test
  void theRealModelWritesTheBytesOfOneCall() throws IOException {
    try (EmbeddingModel m = EmbeddingModel.load(ModelOptions.DEFAULT_MODEL)) {
      assertThat(m.dimension()).isEqualTo(384);
    }
    List<String> texts = new ArrayList<>();
    for (String line : Files.readAllLines(stsTest(), StandardCharsets.UTF_8)) {
      String[] fields = line.split("\t");
      if (fields.length >= 7 && texts.size() < 40) {
        texts.add(fields[5]);
        texts.add(texts.size() % 8 == 1 ? fields[6] + " " + fields[5].repeat(40) : fields[6]);
      }
    }
    Path in = Files.write(dir.resolve("sts.txt"), texts, StandardCharsets.UTF_8);
    for (String ext : List.of("npy", "jsonl", "csv")) {
      Path streamed = dir.resolve("real." + ext);
      Path whole = dir.resolve("real-whole." + ext);
      CliRunner.Result r = run("encode", "-i", in.toString(), "-o", streamed.toString());
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.err()).contains("were truncated");
      assertThat(run(concat(List.of("encode", "-o", whole.toString()), texts)).exit()).isZero();
      assertSameFiles(streamed, whole);
    }
  }

  @Test
  void aBadLineFailsBeforeAnythingIsEncodedAndNothingIsWritten() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      sb.append("text ").append(i).append('\n');
    }
    byte[] good = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] bad = new byte[good.length + 4];
    System.arraycopy(good, 0, bad, 0, good.length);
    bad[good.length] = 'a';
    bad[good.length + 1] = 0;
    bad[good.length + 2] = 'b';
    bad[good.length + 3] = '\n';
    Path in = Files.write(dir.resolve("bad.txt"), bad);
    Path out = dir.resolve("out.npy");

    CliRunner.Result r = run("encode", "-m", FAKE, "-i", in.toString(), "-o", out.toString());
    assertFailure(r, "NUL byte on line 10001");

    CliRunner.Result piped = runWithStdin(bad, "encode", "-m", FAKE, "-o", out.toString());
    assertFailure(piped, "NUL byte on line 10001");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("bad.txt");
    }
  }

  private static Path stsTest() {
    return Path.of(System.getProperty("jembed.shared.dir", "../../shared"), "data", "sts-test.csv");
  }

  private static void assertSameFiles(Path a, Path b) throws IOException {
    assertThat(Files.readAllBytes(a)).as(a.toString()).isEqualTo(Files.readAllBytes(b));
    Path sa = a.resolveSibling(a.getFileName() + ".json");
    Path sb = b.resolveSibling(b.getFileName() + ".json");
    assertThat(withoutCreated(Files.readString(sa)))
        .isEqualTo(withoutCreated(Files.readString(sb)));
  }

  private static String withoutCreated(String sidecar) {
    return sidecar.replaceAll("\"created\" : \"[^\"]*\"", "\"created\" : \"-\"");
  }

  private static String[] concat(List<String> head, List<String> tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(tail);
    return all.toArray(String[]::new);
  }
}
