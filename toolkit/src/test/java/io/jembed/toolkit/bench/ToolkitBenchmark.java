package io.jembed.toolkit.bench;

import io.jembed.SimilarityFunction;
import io.jembed.Vectors;
import io.jembed.toolkit.CommunityDetection;
import io.jembed.toolkit.ParaphraseMining;
import io.jembed.toolkit.SemanticSearch;
import java.util.Locale;
import java.util.Random;

/**
 * Prints how fast exact search, mining and community detection run on random unit vectors. Not a
 * test. Run: {@code java -cp ... io.jembed.toolkit.bench.ToolkitBenchmark [corpus] [queries]
 * [mining texts]} (defaults 200000, 100, 10000; 384 dimensions).
 */
public final class ToolkitBenchmark {
  private ToolkitBenchmark() {}

  public static void main(String[] args) {
    int corpusSize = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int queries = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int miningSize = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    int dim = 384;
    Random random = new Random(42);
    float[][] corpus = unitVectors(random, corpusSize, dim);
    float[][] q = unitVectors(random, queries, dim);
    for (int round = 0; round < 3; round++) {
      long t = System.nanoTime();
      SemanticSearch.search(q, corpus, 10, SimilarityFunction.COSINE);
      double s = (System.nanoTime() - t) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "search  %,d queries x %,d vectors (%d-d), top 10: %.2f s, %.1f M scores/s%n",
          queries,
          corpusSize,
          dim,
          s,
          (double) queries * corpusSize / s / 1e6);
    }
    float[][] texts = unitVectors(random, miningSize, dim);
    long t = System.nanoTime();
    int pairs = ParaphraseMining.builder().topK(10).build().mine(texts).size();
    System.out.printf(
        Locale.ROOT,
        "paraphrase mining %,d texts, top 10 each: %.2f s (%,d pairs)%n",
        miningSize,
        (System.nanoTime() - t) / 1e9,
        pairs);
    t = System.nanoTime();
    int communities =
        CommunityDetection.builder()
            .threshold(0.2f)
            .minCommunitySize(5)
            .build()
            .detectCommunities(texts)
            .size();
    System.out.printf(
        Locale.ROOT,
        "community detection %,d texts: %.2f s (%d communities)%n",
        miningSize,
        (System.nanoTime() - t) / 1e9,
        communities);
  }

  private static float[][] unitVectors(Random random, int n, int dim) {
    float[][] out = new float[n][dim];
    for (float[] v : out) {
      for (int i = 0; i < dim; i++) {
        v[i] = (float) random.nextGaussian();
      }
      Vectors.normalizeInPlace(v);
    }
    return out;
  }
}
