package io.jembed.toolkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The k best (key, score) entries seen so far: a bounded heap with the worst entry at the root.
 * Order: higher score first, then lower key, so results never depend on the order of arrival. NaN
 * scores count as the lowest possible score. Keys are corpus ids, or pairs of ids packed into a
 * long by {@link #pairKey}.
 */
final class TopK {
  private final int capacity;
  private float[] scores;
  private long[] ids;
  private int size;

  TopK(int capacity) {
    this.capacity = capacity;
    int initial = Math.max(1, Math.min(capacity, 64));
    this.scores = new float[initial];
    this.ids = new long[initial];
  }

  int size() {
    return size;
  }

  /** True if a is ranked below b. */
  private static boolean worse(float sa, long ia, float sb, long ib) {
    return sa < sb || (sa == sb && ia > ib);
  }

  /** The score an entry must beat to get in, or -infinity while there is room. */
  float threshold() {
    return size < capacity ? Float.NEGATIVE_INFINITY : scores[0];
  }

  void offer(long id, float score) {
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

  /** The key of the pair (first, second), ordered by first, then second. */
  static long pairKey(int first, int second) {
    return ((long) first << 32) | (second & 0xffffffffL);
  }

  static int pairFirst(long key) {
    return (int) (key >>> 32);
  }

  static int pairSecond(long key) {
    return (int) key;
  }

  long key(int entry) {
    return ids[entry];
  }

  float score(int entry) {
    return scores[entry];
  }

  /** The entries, best first. */
  List<Hit> sorted() {
    List<Hit> out = new ArrayList<>(size);
    for (int i : bestFirst()) {
      out.add(new Hit((int) ids[i], scores[i]));
    }
    return out;
  }

  /** Entry indexes (for {@link #key} and {@link #score}), best first. */
  int[] bestFirst() {
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
          return Long.compare(ids[a], ids[b]);
        });
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = order[i];
    }
    return out;
  }
}
