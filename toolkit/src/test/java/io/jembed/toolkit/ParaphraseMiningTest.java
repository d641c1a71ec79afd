package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ParaphraseMiningTest {
  private static final Comparator<ScoredPair> ORDER =
      (a, b) -> {
        if (a.score() != b.score()) {
          return a.score() > b.score() ? -1 : 1;
        }
        return a.first() != b.first()
            ? Integer.compare(a.first(), b.first())
            : Integer.compare(a.second(), b.second());
      };

  /** Every pair scored with the same kernel, then selected as the documentation says. */
  static List<ScoredPair> reference(
      float[][] v, Integer topK, float threshold, int maxPairs, SimilarityFunction fn) {
    VectorScorer scorer = new VectorScorer(v, fn);
    Set<Long> keys = new LinkedHashSet<>();
    List<ScoredPair> candidates = new ArrayList<>();
    for (int i = 0; i < v.length; i++) {
      float f = scorer.queryFactor(v[i]);
      List<ScoredPair> row = new ArrayList<>();
      for (int j = 0; j < v.length; j++) {
        if (j != i && (topK != null || j > i)) {
          float s = scorer.score(v[i], f, j);
          if (s >= threshold) {
            row.add(new ScoredPair(i, j, s));
          }
        }
      }
      row.sort(
          (a, b) ->
              a.score() != b.score()
                  ? (a.score() > b.score() ? -1 : 1)
                  : Integer.compare(a.second(), b.second()));
      int keep = topK == null ? row.size() : Math.min(topK, row.size());
      for (ScoredPair p : row.subList(0, keep)) {
        int a = Math.min(p.first(), p.second());
        int b = Math.max(p.first(), p.second());
        if (keys.add(((long) a << 32) | b)) {
          candidates.add(new ScoredPair(a, b, p.score()));
        }
      }
    }
    candidates.sort(ORDER);
    return candidates.subList(0, Math.min(maxPairs, candidates.size()));
  }

  @Property(tries = 60)
  void matchesTheReferenceForAnyChunking(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 60) int n,
      @ForAll @IntRange(min = 1, max = 6) int dim,
      @ForAll @IntRange(min = 0, max = 8) int topK,
      @ForAll @IntRange(min = 1, max = 200) int maxPairs,
      @ForAll @IntRange(min = 1, max = 70) int chunk,
      @ForAll @IntRange(min = -10, max = 10) int threshold10,
      @ForAll SimilarityFunction fn) {
    Random random = new Random(seed);
    float[][] v = SemanticSearchTest.randomVectors(random, n, dim, 1 + random.nextInt(n));
    Integer k = topK == 0 ? null : topK;
    float threshold = fn == SimilarityFunction.COSINE ? threshold10 / 10f : Float.NEGATIVE_INFINITY;
    List<ScoredPair> mined =
        ParaphraseMining.builder()
            .topK(k)
            .threshold(threshold)
            .maxPairs(maxPairs)
            .similarity(fn)
            .queryChunkSize(chunk)
            .build()
            .mine(v);
    assertThat(mined).isEqualTo(reference(v, k, threshold, maxPairs, fn));
    mined.forEach(p -> assertThat(p.first()).isLessThan(p.second()));
  }

  @Test
  void findsTheParaphrasePairsFirst() {
    float[][] v = {{1, 0, 0}, {0, 1, 0}, {0.99f, 0.1f, 0}, {0, 0, 1}, {0.1f, 0.98f, 0.05f}};
    List<ScoredPair> pairs = ParaphraseMining.builder().topK(1).build().mine(v);
    assertThat(pairs.subList(0, 2))
        .extracting(p -> p.first() + "-" + p.second())
        .containsExactlyInAnyOrder("0-2", "1-4");
    List<ScoredPair> above = ParaphraseMining.builder().topK(null).threshold(0.9f).build().mine(v);
    assertThat(above).extracting(p -> p.first() + "-" + p.second()).containsExactly("0-2", "1-4");
  }

  @Test
  void nearDuplicatesAreGroupedTransitively() {
    float[][] v = {{1, 0}, {0, 1}, {1, 0.01f}, {1, 0.02f}, {0, 1.001f}, {-1, 0}};
    List<Community> groups = NearDuplicates.find(v);
    assertThat(groups)
        .extracting(Community::members)
        .containsExactly(List.of(0, 2, 3), List.of(1, 4));
  }

  @Test
  void optionsAreChecked() {
    assertThatThrownBy(() -> ParaphraseMining.builder().topK(0)).hasMessageContaining("top k");
    assertThatThrownBy(() -> ParaphraseMining.builder().maxPairs(0))
        .hasMessageContaining("max pairs");
    assertThatThrownBy(() -> ParaphraseMining.builder().threshold(Float.NaN))
        .hasMessageContaining("threshold");
    assertThat(ParaphraseMining.paraphraseMining(new float[][] {{1, 2}})).isEmpty();
  }
}
