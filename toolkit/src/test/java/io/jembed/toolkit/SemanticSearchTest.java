package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SemanticSearchTest {

  static float[][] randomVectors(Random random, int n, int dim, int distinct) {
    // drawing from a few distinct rows makes exact ties, which the tie-break must handle
    float[][] pool = new float[Math.max(1, distinct)][dim];
    for (float[] v : pool) {
      for (int i = 0; i < dim; i++) {
        v[i] = (float) random.nextGaussian();
      }
    }
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = pool[random.nextInt(pool.length)].clone();
    }
    return out;
  }

  static List<List<Hit>> bruteForce(
      float[][] queries, float[][] corpus, int topK, SimilarityFunction similarity) {
    List<List<Hit>> out = new ArrayList<>();
    for (float[] q : queries) {
      Hit[] hits = new Hit[corpus.length];
      for (int j = 0; j < corpus.length; j++) {
        hits[j] = new Hit(j, similarity.score(q, corpus[j]));
      }
      Arrays.sort(
          hits,
          (a, b) ->
              a.score() != b.score()
                  ? (a.score() > b.score() ? -1 : 1)
                  : Integer.compare(a.corpusId(), b.corpusId()));
      out.add(List.of(Arrays.copyOf(hits, Math.min(topK, hits.length))));
    }
    return out;
  }

  @Property(tries = 60)
  void chunkedSearchEqualsUnchunked(
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 40) int queries,
      @ForAll @IntRange(min = 1, max = 120) int corpusSize,
      @ForAll @IntRange(min = 1, max = 9) int dim,
      @ForAll @IntRange(min = 1, max = 30) int k,
      @ForAll @IntRange(min = 1, max = 50) int queryChunk,
      @ForAll @IntRange(min = 1, max = 130) int corpusChunk,
      @ForAll SimilarityFunction similarity) {
    Random random = new Random(seed);
    float[][] q = randomVectors(random, queries, dim, 50);
    float[][] c = randomVectors(random, corpusSize, dim, 1 + random.nextInt(corpusSize));
    List<List<Hit>> chunked = SemanticSearch.search(q, c, k, similarity, queryChunk, corpusChunk);
    List<List<Hit>> whole =
        SemanticSearch.search(q, c, k, similarity, Integer.MAX_VALUE, Integer.MAX_VALUE);
    assertThat(chunked).isEqualTo(whole);
    assertThat(chunked).hasSize(queries);
    chunked.forEach(hits -> assertThat(hits).hasSize(Math.min(k, corpusSize)));
  }

  @Property(tries = 60)
  void matchesBruteForce(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 10) int queries,
      @ForAll @IntRange(min = 1, max = 80) int corpusSize,
      @ForAll @IntRange(min = 1, max = 16) int dim,
      @ForAll @IntRange(min = 1, max = 20) int k,
      @ForAll SimilarityFunction similarity) {
    Random random = new Random(seed);
    float[][] q = randomVectors(random, queries, dim, 50);
    float[][] c = randomVectors(random, corpusSize, dim, corpusSize);
    List<List<Hit>> fast = SemanticSearch.search(q, c, k, similarity, 3, 7);
    List<List<Hit>> slow = bruteForce(q, c, k, similarity);
    for (int i = 0; i < queries; i++) {
      List<Hit> a = fast.get(i);
      List<Hit> b = slow.get(i);
      assertThat(a).hasSameSizeAs(b);
      for (int r = 0; r < a.size(); r++) {
        // scores agree up to float rounding; ids agree unless two scores are that close
        float tolerance = 1e-4f * Math.max(1f, Math.abs(b.get(r).score()));
        assertThat(a.get(r).score())
            .isCloseTo(b.get(r).score(), org.assertj.core.data.Offset.offset(tolerance));
        float sb = b.get(r).score();
        boolean nearTie =
            (r > 0 && Math.abs(b.get(r - 1).score() - sb) <= 2 * tolerance)
                || (r + 1 < b.size() && Math.abs(b.get(r + 1).score() - sb) <= 2 * tolerance)
                || (r + 1 == b.size() && b.size() < c.length);
        if (!nearTie) {
          assertThat(a.get(r).corpusId()).isEqualTo(b.get(r).corpusId());
        }
      }
    }
  }

  @Test
  void tiesGoToTheLowerCorpusId() {
    float[][] corpus = {{1, 0}, {0, 1}, {1, 0}, {1, 0}};
    List<Hit> hits =
        SemanticSearch.search(new float[] {1, 0}, corpus, 3, SimilarityFunction.COSINE);
    assertThat(hits).extracting(Hit::corpusId).containsExactly(0, 2, 3);
    assertThat(hits.get(0).score()).isEqualTo(1f);
  }

  @Test
  void kLargerThanTheCorpusReturnsEverythingRanked() {
    float[][] corpus = {{1, 0}, {0.6f, 0.8f}, {-1, 0}};
    List<Hit> hits = SemanticSearch.search(new float[] {1, 0}, corpus, 10, SimilarityFunction.DOT);
    assertThat(hits).extracting(Hit::corpusId).containsExactly(0, 1, 2);
    assertThat(hits).extracting(Hit::score).containsExactly(1f, 0.6f, -1f);
  }

  @Test
  void euclideanAndManhattanRankNearestFirst() {
    float[][] corpus = {{5, 5}, {1, 1}, {2, 0}};
    assertThat(SemanticSearch.search(new float[] {1, 0}, corpus, 3, SimilarityFunction.EUCLIDEAN))
        .extracting(Hit::corpusId)
        .containsExactly(1, 2, 0);
    List<Hit> manhattan =
        SemanticSearch.search(new float[] {1, 0}, corpus, 1, SimilarityFunction.MANHATTAN);
    assertThat(manhattan.get(0).score()).isEqualTo(-1f);
  }

  @Test
  void badInputIsRefusedWithAMessage() {
    float[][] corpus = {{1, 0}};
    assertThatThrownBy(() -> SemanticSearch.search(new float[][] {{1, 0}}, corpus, 0))
        .hasMessageContaining("top k must be at least 1");
    assertThatThrownBy(() -> SemanticSearch.search(new float[][] {{1, 0, 0}}, corpus, 1))
        .hasMessageContaining("dimension 3")
        .hasMessageContaining("dimension 2");
    assertThatThrownBy(
            () -> SemanticSearch.search(new float[][] {{1, 0}}, new float[][] {{1, 0}, {1}}, 1))
        .hasMessageContaining("differ in dimension");
    assertThat(SemanticSearch.search(new float[][] {{1, 0}}, new float[0][], 3).get(0)).isEmpty();
  }
}
