package io.jembed.bench;

import io.jembed.LoadOptions;
import io.jembed.SentenceTransformer;
import java.util.Locale;

/**
 * Prints the time from "load the default model" to its first vector, in a fresh JVM. Arguments
 * {@code key=value} are load properties (for A/B runs, e.g. {@code javaTokenizer=false}).
 */
public final class FirstVector {
  public static void main(String[] args) {
    long t0 = System.nanoTime();
    LoadOptions.Builder options = LoadOptions.builder();
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException(
            "expected key=value (a load property), got '" + arg + "'");
      }
      options.property(kv[0], kv[1]);
    }
    try (SentenceTransformer model =
        SentenceTransformer.load("all-MiniLM-L6-v2", options.build())) {
      model.encode("hello");
      System.out.printf(Locale.ROOT, "%.0f ms", (System.nanoTime() - t0) / 1e6);
    }
  }
}
