package io.jembed.hosted;

import java.util.ArrayList;
import java.util.List;

/** Splits inputs into consecutive requests within a count and a token budget. */
final class BatchPlanner {
  private BatchPlanner() {}

  /** A run of consecutive inputs, {@code [start, end)}. */
  record Batch(int index, int start, int end, long estimatedTokens) {
    int size() {
      return end - start;
    }
  }

  /**
   * Greedy, in input order: a request ends when the next input would exceed either limit. An input
   * whose own estimate exceeds the token budget is sent alone (the provider decides).
   */
  static List<Batch> plan(int[] tokenEstimates, int maxInputs, long maxTokens) {
    if (maxInputs < 1 || maxTokens < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    List<Batch> batches = new ArrayList<>();
    int start = 0;
    long tokens = 0;
    for (int i = 0; i < tokenEstimates.length; i++) {
      int t = tokenEstimates[i];
      boolean full = i - start >= maxInputs || (i > start && tokens + t > maxTokens);
      if (full) {
        batches.add(new Batch(batches.size(), start, i, tokens));
        start = i;
        tokens = 0;
      }
      tokens += t;
    }
    if (start < tokenEstimates.length) {
      batches.add(new Batch(batches.size(), start, tokenEstimates.length, tokens));
    }
    return batches;
  }
}
