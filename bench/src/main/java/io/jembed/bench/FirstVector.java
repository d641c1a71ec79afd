package io.jembed.bench;

import io.jembed.SentenceTransformer;
import java.util.Locale;

/** Prints the time from "load the default model" to its first vector, in a fresh JVM. */
public final class FirstVector {
  public static void main(String[] args) {
    long t0 = System.nanoTime();
    try (SentenceTransformer model = SentenceTransformer.load("all-MiniLM-L6-v2")) {
      model.encode("hello");
      System.out.printf(Locale.ROOT, "%.0f ms", (System.nanoTime() - t0) / 1e6);
    }
  }
}
