package io.jembed.toolkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The k best (id, score) pairs seen so far: a bounded heap with the worst entry at the root. Order:
 * higher score first, then lower id, so results never depend on the order of arrival. NaN scores
 * count as the lowest possible score.
 */
final class TopK {
  private final int capacity;
  private float[] scores;
  private int[] ids;
  private int size;

  TopK(int capacity) {
    this.capacity = capacity;
    int initial = Math.max(1, Math.min(capacity, 64));
    this.scores = new float[initial];
    this.ids = new int[initial];
  }

  int size() {
    return size;
  }

  /** True if a is ranked below b. */
  private static boolean worse(float sa, int ia, float sb, int ib) {
    return sa < sb || (sa == sb && ia > ib);
  }

  /** The score an entry must beat to get in, or -infinity while there is room. */
  float threshold() {
    return size < capacity ? Float.NEGATIVE_INFINITY : scores[0];
  }

  void offer(int id, float score) {
    if (size == capacity) {
      // fast path: most scores lose to the current k-th best (NaN fails the comparison too)
      if (capacity == 0 || !(score >= scores[0]) || (score == scores[0] && id > ids[0])) {
        return;
      }
      int i = 0;
      while (true) {
        int left = 2 * i + 1;
        if (left >= size) {
          break;
        }
        int right = left + 1;
        int child =
            right < size && worse(scores[right], ids[right], scores[left], ids[left])
                ? right
                : left;
        if (!worse(scores[child], ids[child], score, id)) {
          break;
        }
        scores[i] = scores[child];
        ids[i] = ids[child];
        i = child;
      }
      scores[i] = score;
      ids[i] = id;
      return;
    }
    if (Float.isNaN(score)) {
      score = Float.NEGATIVE_INFINITY;
    }
    if (size == scores.length) {
      int grown = (int) Math.min(capacity, (long) scores.length * 2);
      scores = Arrays.copyOf(scores, grown);
      ids = Arrays.copyOf(ids, grown);
    }
    int i = size++;
    // sift up: move better parents down
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(score, id, scores[parent], ids[parent])) {
        break;
      }
      scores[i] = scores[parent];
      ids[i] = ids[parent];
      i = parent;
    }
    scores[i] = score;
    ids[i] = id;
  }

  /** Offers every entry of {@code other} (merging partial results). */
  void offerAll(TopK other) {
    for (int i = 0; i < other.size; i++) {
      offer(other.ids[i], other.scores[i]);
    }
  }

  /** The entries, best first. */
  List<Hit> sorted() {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          if (scores[a] != scores[b]) {
            return scores[a] > scores[b] ? -1 : 1;
          }
          return Integer.compare(ids[a], ids[b]);
        });
    List<Hit> out = new ArrayList<>(size);
    for (int i : order) {
      out.add(new Hit(ids[i], scores[i]));
    }
    return out;
  }
}
