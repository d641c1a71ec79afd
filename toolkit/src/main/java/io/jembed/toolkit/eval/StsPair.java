package io.jembed.toolkit.eval;

import java.util.Objects;

/**
 * One row of an STS benchmark: two sentences and how similar people judged them.
 *
 * @param sentence1 the first sentence
 * @param sentence2 the second sentence
 * @param score the gold similarity (0 to 5 in STS-B)
 * @param line where the row is in its file (1-based), or 0 when not from a file
 */
public record StsPair(String sentence1, String sentence2, double score, int line) {
  public StsPair {
    Objects.requireNonNull(sentence1, "sentence1");
    Objects.requireNonNull(sentence2, "sentence2");
    if (!Double.isFinite(score)) {
      throw new IllegalArgumentException("score must be a finite number, got " + score);
    }
  }
}
