package io.jembed.toolkit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CorrelationTest {

  @Test
  void averageRanksForTies() {
    // hand-computed: 10 is smallest (1); the two 20s share ranks 2 and 3; 30 takes 4
    assertThat(Correlation.ranks(new double[] {20, 10, 30, 20})).containsExactly(2.5, 1, 4, 2.5);
    assertThat(Correlation.ranks(new double[] {7, 7, 7})).containsExactly(2, 2, 2);
  }

  @Test
  void handComputedSmallCases() {
    double[] x = {1, 2, 3, 4, 5};
    // a monotone but non-linear relation: Spearman 1, Pearson below 1
    double[] cubes = {1, 8, 27, 64, 125};
    assertThat(Correlation.spearman(x, cubes)).isEqualTo(1.0);
    assertThat(Correlation.pearson(x, cubes)).isLessThan(0.95).isGreaterThan(0.9);
    assertThat(Correlation.spearman(x, new double[] {5, 4, 3, 2, 1})).isEqualTo(-1.0);
    // y ranks 1, 2, 3.5, 5, 3.5: d = 0, 0, -0.5, -1, 1.5 ... via Pearson of ranks:
    // ranks x mean 3, ranks y mean 3; cov = (-2)(-2)+(-1)(-1)+0(.5)+1(2)+2(.5) = 8
    // var x = 10, var y = 4+1+.25+4+.25 = 9.5 -> rho = 8 / sqrt(95)
    assertThat(Correlation.spearman(x, new double[] {5, 6, 7, 8, 7}))
        .isCloseTo(8 / Math.sqrt(95), within(1e-12));
    // Pearson by hand: x mean 3, y = {2, 4, 5, 4, 5} mean 4; cov = -2*-2 + -1*0 + 0 + 1*0 + 2*1 = 6
    // var x = 10, var y = 4 + 0 + 1 + 0 + 1 = 6 -> r = 6 / sqrt(60)
    assertThat(Correlation.pearson(x, new double[] {2, 4, 5, 4, 5}))
        .isCloseTo(6 / Math.sqrt(60), within(1e-12));
  }

  @Test
  void constantInputHasNoCorrelationAndBadInputIsRefused() {
    assertThat(Correlation.pearson(new double[] {1, 2, 3}, new double[] {4, 4, 4})).isNaN();
    assertThatThrownBy(() -> Correlation.spearman(new double[] {1, 2}, new double[] {1}))
        .hasMessageContaining("2 and 1");
    assertThatThrownBy(() -> Correlation.pearson(new double[] {1}, new double[] {1}))
        .hasMessageContaining("at least 2");
  }

  @Property(tries = 200)
  void boundedSymmetricAndInvariantToMonotoneTransforms(
      @ForAll @IntRange(min = 3, max = 60) int n, @ForAll long seed) {
    Random r = new Random(seed);
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextInt(6); // many ties
      y[i] = x[i] + r.nextGaussian();
    }
    double rho = Correlation.spearman(x, y);
    if (Double.isNaN(rho)) {
      return; // all x equal
    }
    assertThat(rho).isBetween(-1.0, 1.0);
    assertThat(Correlation.spearman(y, x)).isCloseTo(rho, within(1e-12));
    double[] transformed = Arrays.stream(y).map(v -> Math.exp(v) * 3 - 1).toArray();
    assertThat(Correlation.spearman(x, transformed)).isCloseTo(rho, within(1e-12));
  }

  @Test
  void matchesScipyOnRandomDataWithTies() throws Exception {
    assumeTrue(scipyAvailable(), "python3 with scipy is not installed");
    Random r = new Random(42);
    int n = 300;
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = Math.round(r.nextDouble() * 20) / 4.0; // STS-like gold scores with ties
      y[i] = x[i] * 0.1 + r.nextGaussian();
    }
    String script =
        "from scipy.stats import spearmanr, pearsonr\n"
            + "x = ["
            + join(x)
            + "]\ny = ["
            + join(y)
            + "]\nprint(repr(float(spearmanr(x, y)[0])), repr(float(pearsonr(x, y)[0])))\n";
    Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    String[] parts = out.split(" ");

    assertThat(Correlation.spearman(x, y)).isCloseTo(Double.parseDouble(parts[0]), within(1e-12));
    assertThat(Correlation.pearson(x, y)).isCloseTo(Double.parseDouble(parts[1]), within(1e-12));
  }

  private static String join(double[] v) {
    return Arrays.stream(v)
        .mapToObj(d -> String.format(Locale.ROOT, "%.17g", d))
        .collect(Collectors.joining(","));
  }

  static boolean scipyAvailable() {
    try {
      Process p =
          new ProcessBuilder("python3", "-c", "import scipy.stats")
              .redirectErrorStream(true)
              .start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
