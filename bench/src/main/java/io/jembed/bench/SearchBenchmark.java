package io.jembed.bench;

import io.jembed.EmbeddingModel;
import io.jembed.Precision;
import io.jembed.SimilarityFunction;
import io.jembed.toolkit.FloatCorpus;
import io.jembed.toolkit.Hit;
import io.jembed.toolkit.QuantizedSearch;
import io.jembed.toolkit.SemanticSearch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Exact and quantized semantic search over a million normalized 384-d vectors, against the memory
 * bandwidth of this machine measured in the same run (a scan cannot beat reading the vectors once).
 *
 * <p>Corpus and queries are drawn the same way, queries held out: real all-MiniLM-L6-v2 embeddings
 * of the STS-B test sentences are the centroids; each vector mixes one centroid with a little of a
 * second, adds Gaussian noise and is normalized.
 *
 * <pre>
 * java -Xmx8g --add-modules jdk.incubator.vector \
 *     -cp "toolkit/target/classes:$(cat bench/target/classpath.txt):bench/target/classes" \
 *     io.jembed.bench.SearchBenchmark [--size N] [--queries N] [--batch N] [--rounds N]
 *     [--random-centroids] [--shared DIR]
 * </pre>
 */
public final class SearchBenchmark {
  private static final int K = 10;
  private static final int DIM = 384;

  private SearchBenchmark() {}

  public static void main(String[] args) {
    int size = 1_000_000;
    int queryCount = 256;
    int batch = 64;
    int singleQueries = 24;
    int rounds = 3;
    boolean randomCentroids = false;
    Path shared = StsSentences.defaultSharedDir();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size" -> size = Integer.parseInt(args[++i]);
        case "--queries" -> queryCount = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--single" -> singleQueries = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--random-centroids" -> randomCentroids = true;
        case "--shared" -> shared = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    singleQueries = Math.min(singleQueries, queryCount);
    batch = Math.min(batch, queryCount);
    float[][] centroids = randomCentroids ? randomCentroids(2000) : stsCentroids(shared);
    long t0 = System.nanoTime();
    FloatCorpus corpus = generateCorpus(centroids, size, 1);
    float[][] queries = generate(centroids, queryCount, 2);
    System.out.printf(
        Locale.ROOT,
        "# %,d corpus vectors x %d dims (%.2f GB of floats), %d held-out queries, k = %d; %d centroids;"
            + " generated in %.1f s%n",
        size,
        DIM,
        corpus.bytes() / 1e9,
        queryCount,
        K,
        centroids.length,
        (System.nanoTime() - t0) / 1e9);
    System.out.printf(
        Locale.ROOT,
        "# kernel: %s; %d cores; load average at start %.1f%n",
        SemanticSearch.kernel(),
        Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

    Bandwidth bandwidth = new Bandwidth(corpus.bytes());
    t0 = System.nanoTime();
    QuantizedSearch int8 = QuantizedSearch.builder().precision(Precision.INT8).build(corpus);
    double int8Build = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    QuantizedSearch binary = QuantizedSearch.builder().precision(Precision.BINARY).build(corpus);
    double binaryBuild = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "# quantized: int8 %.0f MB (built in %.1f s), binary %.0f MB (built in %.1f s)%n",
        int8.quantizedBytes() / 1e6,
        int8Build,
        binary.quantizedBytes() / 1e6,
        binaryBuild);

    // ground truth: exact float search of every query
    List<List<Hit>> truth = SemanticSearch.search(queries, corpus, K, SimilarityFunction.COSINE);
    float[][] single = Arrays.copyOf(queries, singleQueries);
    float[][] batchQueries = Arrays.copyOf(queries, batch);

    List<Row> rows = new ArrayList<>();
    for (int round = 0; round <= rounds; round++) {
      boolean warmup = round == 0;
      String tag = warmup ? "warm-up" : "round " + round;
      rows.add(
          measure(
              tag,
              "float32 exact, 1 query at a time",
              bandwidth,
              corpus.bytes(),
              single.length,
              () -> {
                for (float[] q : single) {
                  SemanticSearch.search(q, corpus, K, SimilarityFunction.COSINE);
                }
              },
              Double.NaN));
      rows.add(
          measure(
              tag,
              "float32 exact, batches of " + batch,
              bandwidth,
              corpus.bytes(),
              batchQueries.length,
              () -> SemanticSearch.search(batchQueries, corpus, K, SimilarityFunction.COSINE),
              Double.NaN));
      for (QuantizedSearch q : List.of(int8, binary)) {
        for (int multiplier : List.of(4, 10)) {
          QuantizedSearch search = q.withRescoreMultiplier(multiplier);
          String name = q.precision().externalName() + " + rescore x" + multiplier;
          int singles = q.precision() == Precision.BINARY ? queryCount : single.length * 2;
          float[][] singleSet = Arrays.copyOf(queries, singles);
          double recall = recall(truth, search.search(queries, K));
          rows.add(
              measure(
                  tag,
                  name + ", 1 query at a time",
                  bandwidth,
                  q.quantizedBytes(),
                  singleSet.length,
                  () -> {
                    for (float[] query : singleSet) {
                      search.search(query, K);
                    }
                  },
                  recall));
          rows.add(
              measure(
                  tag,
                  name + ", batches of " + batch,
                  bandwidth,
                  q.quantizedBytes(),
                  batchQueries.length,
                  () -> search.search(batchQueries, K),
                  recall));
        }
      }
    }
    boolean same = true;
    for (int i = 0; i < single.length; i++) {
      same &=
          SemanticSearch.search(single[i], corpus, K, SimilarityFunction.COSINE)
              .equals(truth.get(i));
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "| %-8s | %-45s | %9s | %10s | %8s | %9s | %9s |%n",
        "round",
        "search",
        "queries/s",
        "scan GB/s",
        "bw GB/s",
        "% of bw",
        "recall@10");
    System.out.println(
        "|----------|-----------------------------------------------|-----------|------------|"
            + "----------|-----------|-----------|");
    for (Row r : rows) {
      System.out.println(r.format());
    }
    System.out.println();
    System.out.println("# single-query results equal the batched ones: " + same);
    System.out.println("# summary (median over measured rounds):");
    Set<String> names = new LinkedHashSet<>();
    rows.forEach(r -> names.add(r.name));
    for (String name : names) {
      List<Row> measured = rows.stream().filter(r -> r.name.equals(name) && !r.warmup()).toList();
      if (measured.isEmpty()) {
        continue;
      }
      double qps = EncodeBenchmark.median(measured.stream().mapToDouble(r -> r.qps).toArray());
      double pct = EncodeBenchmark.median(measured.stream().mapToDouble(Row::percent).toArray());
      double bw = EncodeBenchmark.median(measured.stream().mapToDouble(r -> r.bandwidth).toArray());
      System.out.printf(
          Locale.ROOT,
          "#   %-45s %9.1f q/s  %6.1f%% of the bandwidth bound (bw %.1f GB/s)%s%n",
          name,
          qps,
          pct,
          bw,
          Double.isNaN(measured.get(0).recall)
              ? ""
              : String.format(Locale.ROOT, "  recall@10 %.4f", measured.get(0).recall));
    }
  }

  record Row(
      String round,
      String name,
      double qps,
      double scanGbPerSecond,
      double bandwidth,
      double recall) {
    boolean warmup() {
      return round.equals("warm-up");
    }

    double percent() {
      return 100 * scanGbPerSecond / bandwidth;
    }

    String format() {
      return String.format(
          Locale.ROOT,
          "| %-8s | %-45s | %9.1f | %10.2f | %8.2f | %8.1f%% | %9s |",
          round,
          name,
          qps,
          scanGbPerSecond,
          bandwidth,
          percent(),
          Double.isNaN(recall) ? "exact" : String.format(Locale.ROOT, "%.4f", recall));
    }
  }

  /** Bandwidth just before the search, the search itself, bandwidth just after: the mean bound. */
  private static Row measure(
      String round,
      String name,
      Bandwidth bandwidth,
      long bytesPerQuery,
      int queries,
      Runnable search,
      double recall) {
    double before = bandwidth.measure();
    long t = System.nanoTime();
    search.run();
    double seconds = (System.nanoTime() - t) / 1e9;
    double after = bandwidth.measure();
    double qps = queries / seconds;
    return new Row(round, name, qps, qps * bytesPerQuery / 1e9, Math.max(before, after), recall);
  }

  static double recall(List<List<Hit>> truth, List<List<Hit>> found) {
    long hits = 0;
    long total = 0;
    for (int q = 0; q < truth.size(); q++) {
      Set<Integer> expected = new HashSet<>();
      truth.get(q).forEach(h -> expected.add(h.corpusId()));
      for (Hit h : found.get(q)) {
        hits += expected.contains(h.corpusId()) ? 1 : 0;
      }
      total += expected.size();
    }
    return (double) hits / total;
  }

  /**
   * STREAM-like read bandwidth, both cores: the sum of a long[] as large as the corpus (C2
   * vectorizes the reduction, so the loop is limited by memory, not by the CPU). Best of three.
   */
  static final class Bandwidth {
    private static final int PAGE = 1 << 22;
    private final long[][] pages;
    private final long bytes;
    private volatile long sink;

    Bandwidth(long bytes) {
      int count = (int) Math.max(2, bytes / ((long) PAGE * Long.BYTES));
      pages = new long[count][PAGE];
      for (long[] page : pages) {
        Arrays.fill(page, 1L);
      }
      this.bytes = (long) count * PAGE * Long.BYTES;
    }

    double measure() {
      double best = 0;
      for (int rep = 0; rep < 3; rep++) {
        long t = System.nanoTime();
        sink +=
            IntStream.range(0, 2)
                .parallel()
                .mapToLong(
                    half -> {
                      long s = 0;
                      for (int p = half; p < pages.length; p += 2) {
                        s += sum(pages[p]);
                      }
                      return s;
                    })
                .sum();
        double seconds = (System.nanoTime() - t) / 1e9;
        best = Math.max(best, bytes / seconds / 1e9);
      }
      return best;
    }

    private static long sum(long[] a) {
      long s = 0;
      for (long x : a) {
        s += x;
      }
      return s;
    }
  }

  /** all-MiniLM-L6-v2 embeddings of the distinct STS-B test sentences. */
  static float[][] stsCentroids(Path shared) {
    List<String> sentences =
        new ArrayList<>(new LinkedHashSet<>(StsSentences.testSentences(shared)));
    long t = System.nanoTime();
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      float[][] vectors = model.encode(sentences);
      System.out.printf(
          Locale.ROOT,
          "# encoded %d STS-B test sentences as centroids in %.1f s%n",
          sentences.size(),
          (System.nanoTime() - t) / 1e9);
      return vectors;
    }
  }

  static float[][] randomCentroids(int count) {
    SplittableRandom random = new SplittableRandom(7);
    float[][] out = new float[count][DIM];
    for (float[] v : out) {
      for (int d = 0; d < DIM; d++) {
        v[d] = (float) random.nextGaussian();
      }
      normalize(v);
    }
    return out;
  }

  private static void normalize(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int d = 0; d < v.length; d++) {
      v[d] *= inv;
    }
  }

  /** One vector: mostly centroid a, up to 35% of centroid b, Gaussian noise; normalized. */
  private static float[] draw(float[][] centroids, SplittableRandom random) {
    float[] a = centroids[random.nextInt(centroids.length)];
    float[] b = centroids[random.nextInt(centroids.length)];
    float mix = (float) (random.nextDouble() * 0.35);
    float noise = (float) (0.025 + random.nextDouble() * 0.02);
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = a[d] + mix * b[d] + noise * (float) random.nextGaussian();
    }
    normalize(v);
    return v;
  }

  static float[][] generate(float[][] centroids, int count, long seed) {
    float[][] out = new float[count][];
    int chunk = 16384;
    IntStream.range(0, (count + chunk - 1) / chunk)
        .parallel()
        .forEach(
            c -> {
              SplittableRandom random = new SplittableRandom(seed * 1_000_003L + c);
              for (int i = c * chunk; i < Math.min(count, (c + 1) * chunk); i++) {
                out[i] = draw(centroids, random);
              }
            });
    return out;
  }

  /** Generates chunk by chunk straight into a FloatCorpus (no second copy of the corpus). */
  static FloatCorpus generateCorpus(float[][] centroids, int count, long seed) {
    FloatCorpus.Builder builder = FloatCorpus.builder(DIM);
    int chunk = 65536;
    for (int start = 0; start < count; start += chunk) {
      int n = Math.min(chunk, count - start);
      float[][] part = generate(centroids, n, seed * 7919L + start);
      for (float[] v : part) {
        builder.add(v);
      }
    }
    return builder.build();
  }
}
