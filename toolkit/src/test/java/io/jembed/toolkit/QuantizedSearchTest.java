package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.Precision;
import io.jembed.SimilarityFunction;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class QuantizedSearchTest {
  /** Clustered unit vectors: mixtures of a few centroids plus noise, like sentence embeddings. */
  static float[][] clustered(Random random, int n, float[][] centroids, double noise) {
    int dim = centroids[0].length;
    float[][] out = new float[n][dim];
    for (float[] v : out) {
      float[] a = centroids[random.nextInt(centroids.length)];
      float[] b = centroids[random.nextInt(centroids.length)];
      double mix = random.nextDouble() * 0.3;
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        v[d] = (float) ((1 - mix) * a[d] + mix * b[d] + noise * random.nextGaussian());
        norm += v[d] * v[d];
      }
      for (int d = 0; d < dim; d++) {
        v[d] /= (float) Math.sqrt(norm);
      }
    }
    return out;
  }

  static double recall(List<List<Hit>> truth, List<List<Hit>> found) {
    int hits = 0;
    int total = 0;
    for (int q = 0; q < truth.size(); q++) {
      Set<Integer> expected = new HashSet<>();
      truth.get(q).forEach(h -> expected.add(h.corpusId()));
      for (Hit h : found.get(q)) {
        if (expected.contains(h.corpusId())) {
          hits++;
        }
      }
      total += expected.size();
    }
    return (double) hits / total;
  }

  private static float[][] centroids(Random random, int count, int dim) {
    float[][] c = new float[count][dim];
    for (float[] v : c) {
      for (int d = 0; d < dim; d++) {
        v[d] = (float) random.nextGaussian() / (float) Math.sqrt(dim);
      }
    }
    return c;
  }

  @Test
  void rescoredQuantizedSearchFindsTheExactTopTen() {
    Random random = new Random(11);
    float[][] centroids = centroids(random, 40, 384);
    float[][] corpus = clustered(random, 4000, centroids, 0.04);
    float[][] queries = clustered(random, 60, centroids, 0.04);
    List<List<Hit>> exact = SemanticSearch.search(queries, corpus, 10, SimilarityFunction.COSINE);
    FloatCorpus floats = FloatCorpus.of(corpus);
    for (Precision precision : List.of(Precision.INT8, Precision.BINARY)) {
      QuantizedSearch search =
          QuantizedSearch.builder().precision(precision).rescoreMultiplier(10).build(floats);
      List<List<Hit>> found = search.search(queries, 10);
      assertThat(recall(exact, found)).as(precision + " recall@10").isGreaterThanOrEqualTo(0.9);
      // rescored scores are the exact ones: every hit found is scored as exact search scores it
      for (int q = 0; q < queries.length; q++) {
        for (Hit hit : found.get(q)) {
          for (Hit truth : exact.get(q)) {
            if (truth.corpusId() == hit.corpusId()) {
              assertThat(hit.score()).isEqualTo(truth.score());
            }
          }
        }
      }
    }
    QuantizedSearch int8 = QuantizedSearch.builder().precision(Precision.INT8).build(floats);
    assertThat(int8.quantizedBytes()).isEqualTo(4000L * 384);
    assertThat(recall(exact, int8.search(queries, 10))).isGreaterThanOrEqualTo(0.95);
    QuantizedSearch binary = QuantizedSearch.builder().precision(Precision.BINARY).build(floats);
    assertThat(binary.quantizedBytes()).isEqualTo(4000L * 6 * 8);
  }

  @Test
  void withoutRescoringScoresAreEstimates() {
    Random random = new Random(5);
    float[][] centroids = centroids(random, 10, 64);
    float[][] corpus = clustered(random, 500, centroids, 0.05);
    float[][] queries = clustered(random, 5, centroids, 0.05);
    QuantizedSearch int8 =
        QuantizedSearch.builder().precision(Precision.INT8).rescore(false).build(corpus);
    List<List<Hit>> exact = SemanticSearch.search(queries, corpus, 5, SimilarityFunction.COSINE);
    List<List<Hit>> found = int8.search(queries, 5);
    for (int q = 0; q < queries.length; q++) {
      // the int8 estimate of the best score is within a few hundredths of the true cosine
      assertThat(found.get(q).get(0).score())
          .isCloseTo(exact.get(q).get(0).score(), org.assertj.core.data.Offset.offset(0.03f));
    }
    QuantizedSearch binary =
        QuantizedSearch.builder().precision(Precision.UBINARY).rescore(false).build(corpus);
    assertThat(binary.precision()).isEqualTo(Precision.BINARY);
    // a query identical to a corpus vector has Hamming distance 0: estimate 1
    assertThat(binary.search(corpus[7], 1).get(0).score()).isEqualTo(1f);
  }

  @Property(tries = 40)
  void aMultiplierCoveringTheCorpusIsExact(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 60) int corpusSize,
      @ForAll @IntRange(min = 1, max = 70) int dim,
      @ForAll @IntRange(min = 1, max = 10) int k,
      @ForAll boolean binary,
      @ForAll boolean cosine) {
    Random random = new Random(seed);
    float[][] corpus = SemanticSearchTest.randomVectors(random, corpusSize, dim, corpusSize);
    float[][] queries = SemanticSearchTest.randomVectors(random, 3, dim, 3);
    SimilarityFunction similarity = cosine ? SimilarityFunction.COSINE : SimilarityFunction.DOT;
    QuantizedSearch search =
        QuantizedSearch.builder()
            .precision(binary ? Precision.BINARY : Precision.INT8)
            .similarity(similarity)
            .rescoreMultiplier(corpusSize)
            .build(corpus);
    // every vector is a candidate, so rescoring sees them all: the result is the exact search
    assertThat(search.search(queries, k))
        .isEqualTo(SemanticSearch.search(queries, corpus, k, similarity));
  }

  @Test
  void badInputIsRefusedWithAMessage() {
    assertThatThrownBy(() -> QuantizedSearch.builder().precision(Precision.FLOAT32))
        .hasMessageContaining("use SemanticSearch");
    assertThatThrownBy(() -> QuantizedSearch.builder().similarity(SimilarityFunction.EUCLIDEAN))
        .hasMessageContaining("cosine and dot");
    assertThatThrownBy(() -> QuantizedSearch.builder().rescoreMultiplier(0))
        .hasMessageContaining("at least 1");
    QuantizedSearch search = QuantizedSearch.builder().build(new float[][] {{1, 0}, {0, 1}});
    assertThatThrownBy(() -> search.search(new float[] {1, 0, 0}, 1))
        .hasMessageContaining("dimension 3");
    assertThatThrownBy(() -> search.search(new float[] {1, 0}, 0))
        .hasMessageContaining("top k must be at least 1");
    assertThat(QuantizedSearch.builder().build(new float[0][]).search(new float[] {1}, 3))
        .isEmpty();
  }
}
