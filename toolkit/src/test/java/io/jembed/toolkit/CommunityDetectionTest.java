package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CommunityDetectionTest {

  /** Clusters of the given sizes around random centers in 32-d, plus scattered outliers. */
  static float[][] clusters(Random random, int[] sizes, int outliers, List<Set<Integer>> truth) {
    int dim = 32;
    List<float[]> out = new ArrayList<>();
    for (int size : sizes) {
      float[] center = new float[dim];
      for (int i = 0; i < dim; i++) {
        center[i] = (float) random.nextGaussian();
      }
      Set<Integer> members = new HashSet<>();
      for (int m = 0; m < size; m++) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
          v[i] = center[i] + 0.05f * (float) random.nextGaussian();
        }
        members.add(out.size());
        out.add(v);
      }
      truth.add(members);
    }
    for (int o = 0; o < outliers; o++) {
      float[] v = new float[dim];
      for (int i = 0; i < dim; i++) {
        v[i] = (float) random.nextGaussian();
      }
      out.add(v);
    }
    // shuffle rows, remapping the truth
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    float[][] shuffled = new float[out.size()][];
    int[] newIndex = new int[out.size()];
    for (int pos = 0; pos < order.size(); pos++) {
      shuffled[pos] = out.get(order.get(pos));
      newIndex[order.get(pos)] = pos;
    }
    for (Set<Integer> t : truth) {
      Set<Integer> mapped = new HashSet<>();
      t.forEach(i -> mapped.add(newIndex[i]));
      t.clear();
      t.addAll(mapped);
    }
    return shuffled;
  }

  @Test
  void findsConstructedClustersLargestFirst() {
    List<Set<Integer>> truth = new ArrayList<>();
    float[][] v = clusters(new Random(7), new int[] {12, 8, 5}, 10, truth);
    List<Community> found =
        CommunityDetection.builder()
            .threshold(0.9f)
            .minCommunitySize(5)
            .build()
            .detectCommunities(v);
    assertThat(found).hasSize(3);
    for (int c = 0; c < 3; c++) {
      assertThat(new HashSet<>(found.get(c).members())).isEqualTo(truth.get(c));
    }
    List<Community> big =
        CommunityDetection.builder()
            .threshold(0.9f)
            .minCommunitySize(10)
            .build()
            .detectCommunities(v);
    assertThat(big).hasSize(1);
    assertThat(new HashSet<>(big.get(0).members())).isEqualTo(truth.get(0));
  }

  @Test
  void membersFollowTheCenterBySimilarity() {
    float[][] v = {{1, 0}, {0.9f, 0.1f}, {0.95f, 0.05f}, {0, 1}};
    List<Community> found =
        CommunityDetection.builder()
            .threshold(0.9f)
            .minCommunitySize(3)
            .build()
            .detectCommunities(v);
    assertThat(found).hasSize(1);
    Community c = found.get(0);
    int center = c.center();
    float previous = Float.POSITIVE_INFINITY;
    for (int m : c.members().subList(1, c.size())) {
      float s = SimilarityFunction.COSINE.score(v[center], v[m]);
      assertThat(s).isLessThanOrEqualTo(previous);
      previous = s;
    }
    assertThat(c.members()).containsExactlyInAnyOrder(0, 1, 2);
  }

  @Property(tries = 40)
  void communitiesAreDisjointBigEnoughAndIndependentOfChunking(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 60) int n,
      @ForAll @IntRange(min = 1, max = 6) int minSize,
      @ForAll @IntRange(min = 1, max = 70) int chunk) {
    Random random = new Random(seed);
    float[][] v = SemanticSearchTest.randomVectors(random, n, 3, 1 + random.nextInt(n));
    CommunityDetection.Builder b =
        CommunityDetection.builder().threshold(0.8f).minCommunitySize(minSize);
    List<Community> one = b.chunkSize(chunk).build().detectCommunities(v);
    List<Community> other = b.chunkSize(1000).build().detectCommunities(v);
    assertThat(one).isEqualTo(other);
    Set<Integer> seen = new HashSet<>();
    int previousSize = Integer.MAX_VALUE;
    for (Community c : one) {
      assertThat(c.size()).isGreaterThanOrEqualTo(minSize).isLessThanOrEqualTo(previousSize);
      previousSize = c.size();
      for (int m : c.members()) {
        assertThat(seen.add(m)).as("member %d in two communities", m).isTrue();
      }
    }
  }
}
