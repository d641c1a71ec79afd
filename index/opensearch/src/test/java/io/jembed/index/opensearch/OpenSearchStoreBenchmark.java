package io.jembed.index.opensearch;

import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchMode;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.testing.HashingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Ingest rate (vectors given: no embedding), query latency (vector, keyword, hybrid) and recall@10
 * against exact search, for an OpenSearch index and, as the peer in the same run, a Lucene folder.
 * Data: unit vectors around 1,000 random centres (384-d), texts of words tied to the centres.
 *
 * <pre>
 * java -cp ... io.jembed.index.opensearch.OpenSearchStoreBenchmark http://127.0.0.1:9200 100000 int8
 * </pre>
 */
public final class OpenSearchStoreBenchmark {
  private static final int DIM = 384;
  private static final int QUERIES = 200;
  private static final int WARMUP = 50;

  public static void main(String[] args) throws Exception {
    String node = args[0];
    int size = Integer.parseInt(args[1]);
    Quantization quantization = Quantization.parse(args.length > 2 ? args[2] : "int8");
    Random random = new Random(42);
    float[][] centres = new float[1000][];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = unit(gaussian(random, 1.0), null, 0);
    }
    float[][] vectors = new float[size][];
    String[] texts = new String[size];
    for (int i = 0; i < size; i++) {
      int c = random.nextInt(centres.length);
      vectors[i] = unit(gaussian(random, 0.6), centres[c], 1);
      texts[i] =
          "topic"
              + c
              + " word"
              + random.nextInt(5000)
              + " word"
              + random.nextInt(5000)
              + " item"
              + i;
    }
    float[][] queries = new float[QUERIES + WARMUP][];
    String[] words = new String[queries.length];
    for (int q = 0; q < queries.length; q++) {
      int c = random.nextInt(centres.length);
      queries[q] = unit(gaussian(random, 0.6), centres[c], 1);
      words[q] = "topic" + c + " word" + random.nextInt(5000);
    }
    HashingModel model = HashingModel.wholeWords("bench-384", DIM, 32);
    IndexOptions options = IndexOptions.builder().quantization(quantization).build();
    String name = "jembed-bench-" + Long.toHexString(System.nanoTime());
    StoreLocation remote =
        StoreLocation.parse(node.replaceFirst("^http://", "opensearch://") + "/" + name);
    Path folder = Files.createTempDirectory("jembed-bench");
    System.out.printf(
        Locale.ROOT, "%d vectors, %d-d, %s, k = 10%n", size, DIM, quantization.externalName());
    for (StoreLocation location : List.of(remote, StoreLocation.of(folder.resolve("idx")))) {
      try (VectorStore store = VectorStores.create(location, model, options)) {
        long start = System.nanoTime();
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          batch.add(
              Document.builder("d" + i)
                  .text(texts[i])
                  .vector(vectors[i])
                  .metadata("n", i % 10)
                  .build());
          if (batch.size() == 500) {
            store.upsert(batch);
            batch.clear();
          }
          if ((i + 1) % 10_000 == 0) {
            store.commit();
          }
        }
        store.upsert(batch);
        store.commit();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "%-10s ingest %.0f docs/s (%.1f s)%n",
            kind(location),
            size / seconds,
            seconds);
        for (SearchMode mode : SearchMode.values()) {
          double[] latencies = new double[QUERIES];
          double recall = 0;
          for (int q = 0; q < queries.length; q++) {
            SearchRequest.Builder r = SearchRequest.builder().k(10).mode(mode);
            if (mode != SearchMode.KEYWORD) {
              r.vector(queries[q]);
            }
            if (mode != SearchMode.VECTOR) {
              r.query(words[q]);
            }
            long t = System.nanoTime();
            List<SearchHit> hits = store.search(r.build());
            if (q >= WARMUP) {
              latencies[q - WARMUP] = (System.nanoTime() - t) / 1e6;
              if (mode == SearchMode.VECTOR) {
                recall += recall(hits, exact(vectors, queries[q]));
              }
            }
          }
          Arrays.sort(latencies);
          System.out.printf(
              Locale.ROOT,
              "%-10s %-8s p50 %.2f ms  p99 %.2f ms%s%n",
              kind(location),
              mode.name().toLowerCase(Locale.ROOT),
              latencies[QUERIES / 2],
              latencies[QUERIES * 99 / 100],
              mode == SearchMode.VECTOR
                  ? String.format(Locale.ROOT, "  recall@10 %.3f", recall / QUERIES)
                  : "");
        }
      }
      VectorStores.provider(location).drop(location);
    }
  }

  private static String kind(StoreLocation l) {
    return l.scheme().equals("folder") ? "lucene" : "opensearch";
  }

  private static double recall(List<SearchHit> hits, Set<String> exact) {
    int found = 0;
    for (SearchHit h : hits) {
      found += exact.contains(h.id()) ? 1 : 0;
    }
    return found / 10.0;
  }

  private static Set<String> exact(float[][] vectors, float[] q) {
    double[] best = new double[10];
    int[] ids = new int[10];
    Arrays.fill(best, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < vectors.length; i++) {
      double s = 0;
      for (int j = 0; j < DIM; j++) {
        s += vectors[i][j] * q[j];
      }
      if (s > best[9]) {
        int p = 9;
        while (p > 0 && best[p - 1] < s) {
          best[p] = best[p - 1];
          ids[p] = ids[p - 1];
          p--;
        }
        best[p] = s;
        ids[p] = i;
      }
    }
    Set<String> out = new HashSet<>();
    for (int id : ids) {
      out.add("d" + id);
    }
    return out;
  }

  private static float[] gaussian(Random r, double sigma) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) (r.nextGaussian() * sigma);
    }
    return v;
  }

  private static float[] unit(float[] v, float[] centre, double weight) {
    double norm = 0;
    for (int i = 0; i < DIM; i++) {
      if (centre != null) {
        v[i] = (float) (v[i] / Math.sqrt(DIM) * 4 + centre[i] * weight);
      }
      norm += v[i] * v[i];
    }
    for (int i = 0; i < DIM; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
