package io.jembed;

import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void smoke() {
    long t0 = System.nanoTime();
    try (SentenceTransformer m = SentenceTransformer.load("all-MiniLM-L6-v2")) {
      long t1 = System.nanoTime();
      float[] v = m.encode("The cat sat on the mat.");
      System.out.println(
          "load ms " + (t1 - t0) / 1e6 + " first ms " + (System.nanoTime() - t1) / 1e6);
      System.out.println(m);
      System.out.println(m.info().identity());
      System.out.println(
          java.util.Arrays.toString(java.util.Arrays.copyOf(v, 8)) + " norm " + Vectors.norm(v));
      float[][] vs =
          m.encode(
              java.util.List.of(
                  "The cat sat on the mat.",
                  "A dog rested on the rug.",
                  "LLMs are trained on large text datasets."));
      System.out.println(java.util.Arrays.deepToString(m.similarity(vs, vs)));
    }
  }
}
