package io.jembed.index;

import java.util.Locale;

/** How a query finds documents. */
public enum SearchMode {
  /** Approximate nearest neighbours of the query's embedding (HNSW). */
  VECTOR,
  /** BM25 over the words of the text. */
  KEYWORD,
  /** Both rankings merged by reciprocal-rank fusion. */
  HYBRID;

  public static SearchMode parse(String name) {
    if (name != null) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // fall through to the clear message
      }
    }
    throw new IllegalArgumentException(
        "unknown search mode '" + name + "': use vector, keyword or hybrid");
  }
}
