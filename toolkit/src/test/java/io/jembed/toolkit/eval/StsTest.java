package io.jembed.toolkit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import io.jembed.SimilarityFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StsTest {
  @TempDir Path dir;

  static Path shared(String name) {
    return Path.of(System.getProperty("jembed.shared.dir", "../../shared"), "data", name);
  }

  @Test
  void readsTheStsBenchmarkIncludingRowsWithExtraColumnsAndQuotes() throws IOException {
    Path dev = shared("sts-dev.csv");
    assumeTrue(Files.exists(dev), "STS benchmark not available");

    List<StsPair> pairs = StsDataset.read(dev);

    long lines = Files.readAllLines(dev).stream().filter(l -> !l.isBlank()).count();
    assertThat(pairs).hasSize((int) lines);
    assertThat(pairs.get(0))
        .isEqualTo(
            new StsPair(
                "A man with a hard hat is dancing.",
                "A man wearing a hard hat is dancing.",
                5.0,
                1));
    assertThat(pairs).allSatisfy(p -> assertThat(p.score()).isBetween(0.0, 5.0));
  }

  @Test
  void splitsOnTabsOnlyAndAllowsTrailingColumns() throws IOException {
    Path f = dir.resolve("sts.csv");
    Files.writeString(
        f,
        "g\tf\t2012\t0001\t3.5\tHe said \"hi, there\tShe said \"bye\"\textra\tmore\n"
            + "\n"
            + "g\tf\t2012\t0002\t1\ta\tb\n");

    List<StsPair> pairs = StsDataset.read(f);

    assertThat(pairs)
        .containsExactly(
            new StsPair("He said \"hi, there", "She said \"bye\"", 3.5, 1),
            new StsPair("a", "b", 1.0, 3));
  }

  @Test
  void badRowsAreReportedWithLineNumbers() throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(
        f,
        "g\tf\t2012\t0001\t3.5\ta\tb\n"
            + "g\tf\t2012\t0002\tfive\ta\tb\n"
            + "g,f,2012,0003,1,a,b\n"
            + "g\tf\t2012\t0004\t2\t \tb\n");

    assertThatThrownBy(() -> StsDataset.read(f))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("3 bad rows")
        .hasMessageContaining("line 2: score 'five' in column 5 is not a number")
        .hasMessageContaining("line 3: 1 tab-separated columns")
        .hasMessageContaining("line 4: a sentence");
  }

  @Test
  void missingEmptyAndBinaryFilesAreReported() throws IOException {
    assertThatThrownBy(() -> StsDataset.read(dir.resolve("none.csv")))
        .hasMessageContaining("not found");
    Path empty = Files.writeString(dir.resolve("empty.csv"), "\n\n");
    assertThatThrownBy(() -> StsDataset.read(empty)).hasMessageContaining("no sentence pairs");
    Path bin = Files.write(dir.resolve("bin.csv"), new byte[] {(byte) 0xc3, 0x28, 9, 9});
    assertThatThrownBy(() -> StsDataset.read(bin)).hasMessageContaining("not a UTF-8 text file");
  }

  /** A model whose cosine similarity of "a<i>" and "b<i>" is exactly a chosen value. */
  static final class AngleModel implements EmbeddingModel {
    final Function<Integer, Double> cosineOfPair;
    final List<Integer> batchSizes = new ArrayList<>();
    int encoded;

    AngleModel(Function<Integer, Double> cosineOfPair) {
      this.cosineOfPair = cosineOfPair;
    }

    @Override
    public ModelInfo info() {
      return new ModelInfo(
          "test", "angle", "", 2, 8, true, SimilarityFunction.COSINE, Map.of(), null);
    }

    @Override
    public Embeddings encode(List<String> texts, EncodeOptions options) {
      batchSizes.add(options.batchSize());
      encoded += texts.size();
      float[][] v = new float[texts.size()][];
      boolean[] truncated = new boolean[texts.size()];
      for (int i = 0; i < v.length; i++) {
        String t = texts.get(i);
        int pair = Integer.parseInt(t.substring(1));
        double c = t.startsWith("a") ? 1 : cosineOfPair.apply(pair);
        v[i] = new float[] {(float) c, (float) Math.sqrt(Math.max(0, 1 - c * c))};
        truncated[i] = t.length() > 3;
      }
      return new Embeddings(info(), v, Precision.FLOAT32, null, null, truncated, 0, null);
    }

    @Override
    public int countTokens(String text) {
      return text.length();
    }

    @Override
    public void close() {}
  }

  @Test
  void perfectAndReversedModelsScorePlusAndMinusOne() throws IOException {
    Path f = dir.resolve("sts.csv");
    StringBuilder sb = new StringBuilder();
    double[] gold = {0.2, 4.8, 2.5, 3.0, 1.0, 5.0, 0.0, 3.7};
    for (int i = 0; i < gold.length; i++) {
      sb.append("g\tf\ty\t").append(i).append('\t').append(gold[i]);
      sb.append("\ta").append(i).append("\tb").append(i).append('\n');
    }
    // a repeated pair: its sentences are encoded once
    sb.append("g\tf\ty\t9\t0.2\ta0\tb0\n");
    Files.writeString(f, sb.toString());

    AngleModel perfect = new AngleModel(i -> gold[i] / 5);
    StsResult r = StsEvaluator.evaluate(perfect, f, 7);
    assertThat(r.spearman()).isCloseTo(1.0, within(1e-9));
    assertThat(r.pearson()).isCloseTo(1.0, within(1e-6));
    assertThat(r.pairs()).isEqualTo(9);
    assertThat(r.sentences()).isEqualTo(16);
    assertThat(perfect.encoded).isEqualTo(16);
    assertThat(perfect.batchSizes).containsExactly(7);
    assertThat(r.model()).isEqualTo("angle");
    assertThat(r.similarity()).isEqualTo("cosine");
    assertThat(r.truncated()).isZero();
    assertThat(r.seconds()).isGreaterThanOrEqualTo(0);

    StsResult reversed = StsEvaluator.evaluate(new AngleModel(i -> 1 - gold[i] / 5), f, 32);
    assertThat(reversed.spearman()).isCloseTo(-1.0, within(1e-9));
  }
}
