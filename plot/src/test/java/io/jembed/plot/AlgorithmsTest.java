package io.jembed.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class AlgorithmsTest {

  @Property(tries = 30)
  void quadTreeRepulsionWithThetaZeroIsExact(
      @ForAll @IntRange(min = 2, max = 60) int n, @ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] y = new double[2 * n];
    for (int c = 0; c < 2 * n; c++) {
      y[c] = r.nextDouble(-5, 5);
    }
    if (n > 3) { // a duplicate point
      y[2] = y[0];
      y[3] = y[1];
    }
    QuadTree tree = new QuadTree(y, n);
    for (int i = 0; i < n; i++) {
      double[] got = new double[3];
      tree.repulsion(i, y[2 * i], y[2 * i + 1], 0, got, new int[tree.stackSize()]);
      double[] want = new double[3];
      for (int j = 0; j < n; j++) {
        if (j != i) {
          double dx = y[2 * i] - y[2 * j];
          double dy = y[2 * i + 1] - y[2 * j + 1];
          double q = 1 / (1 + dx * dx + dy * dy);
          want[0] += q * q * dx;
          want[1] += q * q * dy;
          want[2] += q;
        }
      }
      assertThat(got[0]).isCloseTo(want[0], within(1e-9));
      assertThat(got[1]).isCloseTo(want[1], within(1e-9));
      assertThat(got[2]).isCloseTo(want[2], within(1e-9));
    }
  }

  @Property(tries = 30)
  void knnMatchesSortingAllDistances(
      @ForAll @IntRange(min = 2, max = 40) int n,
      @ForAll @IntRange(min = 1, max = 10) int k,
      @ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] x = new double[n][5];
    for (double[] row : x) {
      for (int j = 0; j < 5; j++) {
        row[j] = r.nextInt(4); // coarse values: many ties
      }
    }
    Knn knn = Knn.compute(x, k, ForkJoinPool.commonPool());
    for (int i = 0; i < n; i++) {
      int ii = i;
      Integer[] others =
          java.util.stream.IntStream.range(0, n)
              .filter(j -> j != ii)
              .boxed()
              .toArray(Integer[]::new);
      Arrays.sort(
          others,
          (a, b) -> {
            int c =
                Double.compare(
                    Tsne.squaredDistance(x[ii], x[a]), Tsne.squaredDistance(x[ii], x[b]));
            return c != 0 ? c : Integer.compare(a, b);
          });
      int kk = Math.min(k, n - 1);
      assertThat(knn.indices[i]).hasSize(kk);
      for (int j = 0; j < kk; j++) {
        assertThat(knn.indices[i][j]).isEqualTo(others[j]);
        assertThat(knn.distances[i][j])
            .isCloseTo(Math.sqrt(Tsne.squaredDistance(x[i], x[others[j]])), within(1e-9));
      }
    }
  }

  @Test
  void conditionalProbabilitiesHitThePerplexity() {
    double[] d2 = {0.1, 0.4, 0.5, 0.9, 1.3, 2.0, 2.2, 3.1, 4.0, 5.5};
    double[] p = new double[d2.length];
    Tsne.conditional(d2, Math.log(4), p);
    double entropy = 0;
    double sum = 0;
    for (double v : p) {
      sum += v;
      if (v > 0) {
        entropy -= v * Math.log(v);
      }
    }
    assertThat(sum).isCloseTo(1, within(1e-12));
    assertThat(Math.exp(entropy)).isCloseTo(4, within(1e-3));
  }

  @Test
  void sparsePIsSymmetricAndSumsToOne() {
    SplittableRandom r = new SplittableRandom(3);
    double[][] x = new double[50][4];
    for (double[] row : x) {
      for (int j = 0; j < 4; j++) {
        row[j] = r.nextGaussian();
      }
    }
    Tsne.SparseP p =
        Tsne.sparseP(Knn.compute(x, 9, ForkJoinPool.commonPool()), 3, ForkJoinPool.commonPool());
    double[][] dense = new double[50][50];
    double total = 0;
    for (int i = 0; i < 50; i++) {
      for (int e = p.rowStart()[i]; e < p.rowStart()[i + 1]; e++) {
        dense[i][p.cols()[e]] = p.vals()[e];
        total += p.vals()[e];
      }
    }
    assertThat(total).isCloseTo(1, within(1e-9));
    for (int i = 0; i < 50; i++) {
      assertThat(dense[i][i]).isZero();
      for (int j = 0; j < 50; j++) {
        assertThat(dense[i][j]).isCloseTo(dense[j][i], within(1e-15));
      }
    }
  }

  @Test
  void umapCurveForMinDistPointOneIsUmapLearns() {
    Umap.Curve c = Umap.fitCurve(1.0, 0.1);
    assertThat(c.a()).isCloseTo(1.577, within(0.01));
    assertThat(c.b()).isCloseTo(0.895, within(0.01));
  }

  @Test
  void fuzzyUnionCombinesBothDirections() {
    int[][] idx = {{1}, {0}, {0}};
    double[][] w = {{0.5}, {0.5}, {1.0}};
    Umap.Graph g = Umap.fuzzyUnion(idx, w);
    // (0,1): 0.5 + 0.5 - 0.25; (0,2) and (2,0): 1
    assertThat(g.head()).containsExactly(0, 0, 1, 2);
    assertThat(g.tail()).containsExactly(1, 2, 0, 0);
    assertThat(g.weight()).containsExactly(0.75, 1.0, 0.75, 1.0);
  }

  @Test
  void pcaFindsTheMainDirection() {
    SplittableRandom r = new SplittableRandom(1);
    double[][] x = new double[200][3];
    for (double[] row : x) {
      double t = r.nextGaussian() * 10;
      row[0] = t;
      row[1] = 2 * t + r.nextGaussian() * 0.1;
      row[2] = r.nextGaussian() * 0.1;
    }
    Pca pca = Pca.fit(x, 2);
    assertThat(pca.explainedVarianceRatio()[0]).isGreaterThan(0.99);
    // the Gram route (fewer points than dimensions) gives the same scores
    double[][] few = new double[3][]; // 3 points in 2-d: the covariance route
    double[][] wide = new double[3][]; // the same padded to 5-d: the Gram route
    for (int i = 0; i < 3; i++) {
      few[i] = Arrays.copyOf(x[i], 2);
      wide[i] = Arrays.copyOf(x[i], 5);
      wide[i][2] = 0;
    }
    double[][] a = Pca.fit(few, 2).scores();
    double[][] b = Pca.fit(wide, 2).scores();
    for (int i = 0; i < 3; i++) {
      assertThat(a[i][0]).isCloseTo(b[i][0], within(1e-9));
      assertThat(a[i][1]).isCloseTo(b[i][1], within(1e-9));
    }
  }
}
