package io.jembed.toolkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.Embeddings;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import io.jembed.SimilarityFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedding files come out byte for byte as they always have: {@link #writeAll} writes every case
 * through the public API, and the files under {@code golden/} were written by the same cases before
 * the writers could stream. Whole arrays through {@link EmbeddingFiles} and chunks of any size
 * through {@link EmbeddingFileWriter} both give those bytes. Sidecars differ only in their
 * "created" time.
 */
class EmbeddingFileGoldenTest {
  static final ModelInfo MODEL =
      new ModelInfo(
          "local",
          "golden-model",
          "r1",
          3,
          128,
          true,
          SimilarityFunction.COSINE,
          Map.of("query", "query: "),
          null);
  static final float[][] VECTORS = {
    {0.1f, -0.2f, 0.3f}, {1e-7f, 3.4028235e38f, -0f}, {1f, 0.5f, -1.25e-3f}, {0f, 0f, 2f}
  };
  static final List<String> TEXTS =
      List.of("a, \"quoted\" text", "line\nbreak", "café 中文 😀", "plain");
  static final byte[][] BYTES = {{-128, 0, 127}, {1, -1, 5}, {0, 0, 0}, {42, -42, 7}};

  @TempDir Path dir;

  /** Every case: a file name and how to write it (whole arrays, the public API). */
  static Map<String, BiConsumer<Path, Boolean>> cases() {
    Map<String, BiConsumer<Path, Boolean>> cases = new LinkedHashMap<>();
    for (String ext : List.of("npy", "jsonl", "csv", "json")) {
      EmbeddingFormat f = EmbeddingFormat.parse(ext);
      cases.put("floats-texts." + ext, (p, x) -> EmbeddingFiles.write(p, f, MODEL, VECTORS, TEXTS));
      cases.put("floats." + ext, (p, x) -> EmbeddingFiles.write(p, f, null, VECTORS, null));
      cases.put(
          "empty." + ext, (p, x) -> EmbeddingFiles.write(p, f, MODEL, new float[0][], List.of()));
      for (Precision precision : List.of(Precision.INT8, Precision.UBINARY)) {
        cases.put(
            precision.externalName() + "." + ext,
            (p, x) -> EmbeddingFiles.writeQuantized(p, f, MODEL, precision, BYTES, TEXTS));
      }
      cases.put(
          "embeddings." + ext,
          (p, x) -> EmbeddingFiles.write(p, f, Embeddings.of(MODEL, VECTORS), TEXTS));
      cases.put(
          "stream-" + ext,
          (p, x) -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            EmbeddingFiles.write(out, f, MODEL, VECTORS, TEXTS);
            write(p, out.toByteArray());
          });
    }
    return cases;
  }

  /** Writes every case into {@code dir} (also how the golden files were made). */
  static void writeAll(Path dir) {
    cases().forEach((name, write) -> write.accept(dir.resolve(name), true));
  }

  @Test
  void wholeArraysGiveTheGoldenBytes() throws IOException {
    writeAll(dir);
    assertGolden(dir, cases().keySet());
  }

  @Test
  void chunksOfAnySizeGiveTheGoldenBytes() throws IOException {
    for (int chunk = 1; chunk <= VECTORS.length; chunk++) {
      Path out = Files.createDirectories(dir.resolve("chunks-" + chunk));
      List<String> names = new ArrayList<>();
      for (String ext : List.of("npy", "jsonl", "csv")) {
        EmbeddingFormat f = EmbeddingFormat.parse(ext);
        names.addAll(
            List.of(
                "floats-texts." + ext,
                "floats." + ext,
                "empty." + ext,
                "int8." + ext,
                "ubinary." + ext));
        writeInChunks(out.resolve("floats-texts." + ext), f, MODEL, chunk, VECTORS, null, TEXTS);
        writeInChunks(out.resolve("floats." + ext), f, null, chunk, VECTORS, null, null);
        writeInChunks(
            out.resolve("empty." + ext), f, MODEL, chunk, new float[0][], null, List.of());
        writeInChunks(out.resolve("int8." + ext), f, MODEL, chunk, null, Precision.INT8, TEXTS);
        writeInChunks(
            out.resolve("ubinary." + ext), f, MODEL, chunk, null, Precision.UBINARY, TEXTS);
        if (f != EmbeddingFormat.NPY) {
          ByteArrayOutputStream stream = new ByteArrayOutputStream();
          try (EmbeddingFileWriter w = EmbeddingFileWriter.to(stream, f, true)) {
            for (int from = 0; from < VECTORS.length; from += chunk) {
              int to = Math.min(VECTORS.length, from + chunk);
              w.write(
                  Embeddings.of(MODEL, Arrays.copyOfRange(VECTORS, from, to)),
                  TEXTS.subList(from, to));
            }
            w.commit();
          }
          write(out.resolve("stream-" + ext), stream.toByteArray());
          names.add("stream-" + ext);
        }
      }
      assertGolden(out, names);
      try (Stream<Path> left = Files.list(out)) {
        assertThat(left.filter(p -> p.getFileName().toString().startsWith(".")))
            .as("temporary files")
            .isEmpty();
      }
    }
  }

  /** Floats (precision null) or {@link #BYTES} of the precision, {@code chunk} rows a write. */
  private static void writeInChunks(
      Path file,
      EmbeddingFormat format,
      ModelInfo model,
      int chunk,
      float[][] floats,
      Precision precision,
      List<String> texts) {
    int n = floats != null ? floats.length : BYTES.length;
    try (EmbeddingFileWriter w = EmbeddingFileWriter.create(file, format, texts != null)) {
      for (int from = 0; from < n || from == 0; from += chunk) {
        int to = Math.min(n, from + chunk);
        VectorRows rows =
            floats != null
                ? VectorRows.ofFloats(Arrays.copyOfRange(floats, from, to), model)
                : VectorRows.ofBytes(Arrays.copyOfRange(BYTES, from, to), precision);
        w.write(rows, model, texts == null ? null : texts.subList(from, to));
        if (from == 0) {
          w.write(rows.emptyLike(), model, texts == null ? null : List.of()); // changes nothing
        }
        if (n == 0) {
          break;
        }
      }
      assertThat(w.count()).isEqualTo(n);
      w.commit();
    }
  }

  @Test
  void aWriterClosedWithoutCommitLeavesNothing() throws IOException {
    Path file = dir.resolve("unfinished.npy");
    try (EmbeddingFileWriter w = EmbeddingFileWriter.create(file, null, true)) {
      w.write(Embeddings.of(MODEL, VECTORS), TEXTS);
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void badWritesAreRejectedWithAClearMessage() {
    Path file = dir.resolve("x.jsonl");
    assertThatThrownBy(() -> EmbeddingFileWriter.create(dir.resolve("x.json"), null, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jsonl");
    assertThatThrownBy(
            () -> EmbeddingFileWriter.to(new ByteArrayOutputStream(), EmbeddingFormat.NPY, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row count");
    try (EmbeddingFileWriter w = EmbeddingFileWriter.create(file, null, false)) {
      w.write(Embeddings.of(MODEL, VECTORS), null);
      assertThatThrownBy(() -> w.write(Embeddings.of(MODEL, VECTORS), TEXTS))
          .hasMessageContaining("without texts");
      assertThatThrownBy(
              () -> w.write(VectorRows.ofFloats(new float[][] {{1, 2}}, null), null, null))
          .hasMessageContaining("dimension 2");
      assertThatThrownBy(() -> w.write(VectorRows.ofBytes(BYTES, Precision.INT8), MODEL, null))
          .hasMessageContaining("int8");
    }
    assertThat(file).doesNotExist();
  }

  static void assertGolden(Path dir, Iterable<String> names) throws IOException {
    for (String name : names) {
      assertThat(Files.readAllBytes(dir.resolve(name))).as(name).isEqualTo(golden(name));
      Path sidecar = dir.resolve(name + ".json");
      byte[] goldenSidecar = golden(name + ".json");
      if (goldenSidecar == null) {
        assertThat(sidecar).doesNotExist();
      } else {
        assertThat(withoutCreated(Files.readString(sidecar)))
            .as(name + ".json")
            .isEqualTo(withoutCreated(new String(goldenSidecar, StandardCharsets.UTF_8)));
      }
    }
  }

  static byte[] golden(String name) throws IOException {
    try (InputStream in = EmbeddingFileGoldenTest.class.getResourceAsStream("golden/" + name)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static String withoutCreated(String sidecar) {
    return sidecar.replaceAll("\"created\" : \"[^\"]*\"", "\"created\" : \"-\"");
  }

  private static void write(Path p, byte[] bytes) {
    try {
      Files.write(p, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the golden files (run against the code whose output they pin). */
  public static void main(String[] args) {
    Path out = Path.of(args[0]);
    writeAll(out);
    List<String> written = new ArrayList<>(cases().keySet());
    System.out.println("wrote " + written.size() + " cases to " + out);
  }
}
