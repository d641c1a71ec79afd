package io.jembed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SimilarityFunctionTest {
  final float[] a = {1, 2, 3};
  final float[] b = {4, -5, 6};

  @Test
  void scoresFollowSentenceTransformersConventions() {
    // cosine = 12 / (sqrt(14) * sqrt(77)); dot = 12; distances are negated
    assertThat(SimilarityFunction.COSINE.score(a, b)).isCloseTo(0.3655f, within(1e-4f));
    assertThat(SimilarityFunction.DOT.score(a, b)).isEqualTo(12f);
    assertThat(SimilarityFunction.EUCLIDEAN.score(a, b))
        .isCloseTo((float) -Math.sqrt(9 + 49 + 9), within(1e-5f));
    assertThat(SimilarityFunction.MANHATTAN.score(a, b)).isEqualTo(-13f);
  }

  @Test
  void matrixAndPairwiseAgreeWithScore() {
    float[][] x = {a, b};
    float[][] y = {b, a, {0, 0, 1}};
    for (SimilarityFunction f : SimilarityFunction.values()) {
      float[][] m = f.matrix(x, y);
      for (int i = 0; i < x.length; i++) {
        for (int j = 0; j < y.length; j++) {
          assertThat(m[i][j]).as("%s %d %d", f, i, j).isCloseTo(f.score(x[i], y[j]), within(1e-5f));
        }
      }
      assertThat(f.pairwise(x, new float[][] {b, a})[0]).isCloseTo(f.score(a, b), within(1e-5f));
    }
  }

  @Test
  void parsesNamesAndRejectsMismatches() {
    assertThat(SimilarityFunction.parse("dot_product")).isEqualTo(SimilarityFunction.DOT);
    assertThat(SimilarityFunction.parse(" Cosine ")).isEqualTo(SimilarityFunction.COSINE);
    assertThatThrownBy(() -> SimilarityFunction.parse("jaccard"))
        .hasMessageContaining("unknown similarity function 'jaccard'");
    assertThatThrownBy(() -> SimilarityFunction.COSINE.score(a, new float[2]))
        .hasMessageContaining("different dimensions: 3 and 2");
    assertThatThrownBy(() -> Precision.parse("fp16"))
        .hasMessageContaining("unknown precision 'fp16'");
  }
}
