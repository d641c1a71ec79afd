package io.jembed.toolkit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import io.jembed.Precision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

class EmbeddingFilesPropertiesTest {
  static Path dir;

  @BeforeContainer
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("jembed-emb-props");
  }

  @AfterContainer
  static void removeDir() throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    }
  }

  @Provide
  Arbitrary<String> texts() {
    // any characters, including quotes, commas, tabs, line breaks and astral code points
    return Arbitraries.strings()
        .withChars("ab ,\"'\t\n\r\\é中")
        .withCharRange('\u0000', '\u007f')
        .ofMaxLength(20)
        .map(s -> s + (s.length() % 3 == 0 ? "😀" : ""));
  }

  @Property(tries = 60)
  void everyFormatRoundTripsRandomShapesValuesAndTexts(
      @ForAll @IntRange(min = 0, max = 12) int rows,
      @ForAll @IntRange(min = 1, max = 40) int cols,
      @ForAll long seed,
      @ForAll("texts") String sample) {
    Random random = new Random(seed);
    float[][] vectors = new float[rows][cols];
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        vectors[i][j] =
            switch (random.nextInt(4)) {
              case 0 -> Float.intBitsToFloat(random.nextInt()); // any bit pattern, NaN included
              case 1 -> (float) random.nextGaussian();
              case 2 -> random.nextFloat() * 1e-30f;
              default -> random.nextInt(5) - 2;
            };
      }
      texts.add(i % 2 == 0 ? sample : sample + i);
    }
    for (EmbeddingFormat format : EmbeddingFormat.values()) {
      Path file = dir.resolve("p-" + seed + "." + format.extension());
      EmbeddingFiles.write(file, format, null, vectors, texts);
      if (rows == 0 && format != EmbeddingFormat.NPY && format != EmbeddingFormat.JSON) {
        // an empty JSONL/CSV body still reads back as zero vectors
      }
      EmbeddingFile read = EmbeddingFiles.read(file);
      assertThat(read.size()).as(format.name()).isEqualTo(rows);
      for (int i = 0; i < rows; i++) {
        assertThat(bits(read.vectors()[i])).as(format + " row " + i).isEqualTo(bits(vectors[i]));
      }
      if (rows > 0) {
        assertThat(read.texts()).as(format.name()).isEqualTo(texts);
      }
    }
  }

  @Property(tries = 40)
  void quantizedBytesRoundTrip(
      @ForAll @IntRange(min = 1, max = 8) int rows,
      @ForAll @IntRange(min = 1, max = 48) int cols,
      @ForAll long seed) {
    Random random = new Random(seed);
    byte[][] bytes = new byte[rows][cols];
    for (byte[] row : bytes) {
      random.nextBytes(row);
    }
    Precision precision = Precision.values()[1 + random.nextInt(4)];
    for (EmbeddingFormat format : EmbeddingFormat.values()) {
      Path file = dir.resolve("q-" + seed + "." + format.extension());
      EmbeddingFiles.writeQuantized(file, format, null, precision, bytes, null);
      EmbeddingFile read = EmbeddingFiles.read(file);
      assertThat(read.precision()).isEqualTo(precision);
      assertThat(read.quantized()).as(format.name()).isDeepEqualTo(bytes);
    }
  }

  @Property(tries = 60)
  void anyCutOfAnNpyFileIsReportedNotMisread(
      @ForAll @IntRange(min = 1, max = 6) int rows,
      @ForAll @IntRange(min = 1, max = 10) int cols,
      @ForAll @IntRange(min = 1, max = 400) int cut) {
    Path file = dir.resolve("cut-" + rows + "-" + cols + "-" + cut + ".npy");
    EmbeddingFiles.write(file, null, null, new float[rows][cols], null);
    try {
      byte[] all = Files.readAllBytes(file);
      int keep = Math.max(0, all.length - cut);
      Files.write(file, Arrays.copyOf(all, keep));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThatThrownBy(() -> EmbeddingFiles.read(file)).isInstanceOf(JembedException.class);
  }

  @Property(tries = 100)
  void randomBytesNeverCrashTheReaders(@ForAll byte[] junk, @ForAll("formats") String ext) {
    Path file = dir.resolve("junk." + ext);
    try {
      Files.write(file, junk);
      Files.deleteIfExists(EmbeddingFiles.sidecarOf(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      EmbeddingFile read = EmbeddingFiles.read(file);
      // junk that happens to be valid (e.g. "1,2") must at least be rectangular
      for (float[] v : read.vectors()) {
        assertThat(v).hasSize(read.dimension());
      }
    } catch (JembedException expected) {
      assertThat(expected.getMessage()).contains("junk.");
    }
  }

  @Provide
  Arbitrary<String> formats() {
    return Arbitraries.of("npy", "json", "jsonl", "csv", "bin");
  }

  private static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      // all NaNs are one NaN in text formats
      out[i] = Float.isNaN(v[i]) ? Float.floatToIntBits(Float.NaN) : Float.floatToRawIntBits(v[i]);
    }
    return out;
  }
}
