package io.jembed.bench;

import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.Vectors;
import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.IndexStats;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchRequest;
import io.jembed.index.lucene.LuceneVectorStore;
import io.jembed.toolkit.Chunk;
import io.jembed.toolkit.Chunker;
import io.jembed.toolkit.Hit;
import io.jembed.toolkit.SemanticSearch;
import io.jembed.toolkit.io.EmbeddingFiles;
import io.jembed.toolkit.io.EmbeddingFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Measures the Lucene index: build time, size, recall@10 against exact search and query latency on
 * N vectors with the structure of real embeddings, and the end-to-end ingest cost of raw text.
 *
 * <p>Vectors ({@code --data text}, the default): real embeddings of generated sentences, each the
 * first part of one STS sentence (../shared/data) and the last part of another, embedded with
 * {@code --text-model} (all-MiniLM-L6-v2-int8) and cached in the work folder; the last {@code
 * --queries} sentences are held out as queries. {@code --data mixtures}: the STS sentences'
 * embeddings are centroids and each vector mixes two of them plus Gaussian noise ({@code --noise}),
 * a tightly clustered, harder set. Uniform random vectors would be an unfairly easy (or hard) test.
 *
 * <pre>
 * java -Xmx10g -cp ... io.jembed.bench.IndexBenchmark --size 1000000 --quantization int8
 * java -cp ... io.jembed.bench.IndexBenchmark --ingest 2000
 * </pre>
 *
 * Options: --size N (100000), --queries N (500), --data text|mixtures (text), --text-model name,
 * --noise x (0.15, mixtures), --quantization list (int8), --candidates list (num candidates per
 * search, 100), --hnsw-m N (16), --beam-width N (100), --dir folder (target/index-bench), --keep
 * (keep indexes), --reuse (search a kept index again), --shared folder (../shared), --ingest N (run
 * the ingest benchmark on N documents instead).
 */
public final class IndexBenchmark {
  private static final int K = 10;

  private IndexBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    Path shared =
        Path.of(opts.getOrDefault("shared", System.getProperty("jembed.shared.dir", "../shared")));
    Path work = Path.of(opts.getOrDefault("dir", "target/index-bench"));
    Files.createDirectories(work);
    List<String> sentences = stsSentences(shared.resolve("data"));
    if (opts.containsKey("ingest")) {
      ingest(sentences, Integer.parseInt(opts.get("ingest")), work);
      return;
    }
    int size = Integer.parseInt(opts.getOrDefault("size", "100000"));
    int queries = Integer.parseInt(opts.getOrDefault("queries", "500"));
    List<Quantization> quantizations =
        Arrays.stream(opts.getOrDefault("quantization", "int8").split(","))
            .map(Quantization::parse)
            .toList();
    int[] candidates =
        Arrays.stream(opts.getOrDefault("candidates", "100").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();

    String source = opts.getOrDefault("data", "text");
    long t0 = System.nanoTime();
    float[][] data;
    float[][] queryVectors;
    if (source.equals("text")) {
      String textModel = opts.getOrDefault("text-model", "all-MiniLM-L6-v2-int8");
      List<String> texts = splicedSentences(sentences, size + queries, 42);
      float[][] all = embedCached(texts, textModel, work);
      data = Arrays.copyOfRange(all, 0, size);
      queryVectors = Arrays.copyOfRange(all, size, size + queries);
      System.out.printf(
          Locale.ROOT,
          "data: %,d distinct generated sentences (STS sentence halves spliced), embedded with %s;"
              + " %d of them held out as queries%n",
          texts.size(),
          textModel,
          queries);
    } else if (source.equals("mixtures")) {
      float[][] centroids = centroids(sentences, work);
      float noise = Float.parseFloat(opts.getOrDefault("noise", "0.15"));
      data = generate(centroids, size, 42, noise);
      queryVectors = generate(centroids, queries, 4242, noise);
      System.out.printf(
          Locale.ROOT,
          "data: mixtures of %d real embeddings of STS sentences, noise %.2f%n",
          centroids.length,
          noise);
    } else {
      throw new IllegalArgumentException("--data must be text or mixtures, got " + source);
    }
    System.out.printf(Locale.ROOT, "prepared %,d vectors in %.1f s%n", size, secs(t0));
    t0 = System.nanoTime();
    int[][] truth = exactTopK(data, queryVectors, K);
    System.out.printf(
        Locale.ROOT,
        "exact search (brute force, %d queries): %.1f ms/query%n",
        queries,
        secs(t0) * 1000 / queries);
    System.out.printf(
        Locale.ROOT,
        "nearest-neighbour similarity: mean top-1 %.3f, mean top-10 %.3f%n",
        meanSim(data, queryVectors, truth, 0),
        meanSim(data, queryVectors, truth, K - 1));

    try (EmbeddingModel model = new VectorOnlyModel(384)) {
      for (Quantization q : quantizations) {
        Path dir = work.resolve("idx-" + size + "-" + q.externalName());
        if (opts.containsKey("reuse") && Files.isDirectory(dir)) {
          // measure search again on an index kept by an earlier run (same seeds, same vectors)
          try (LuceneVectorStore index = LuceneVectorStore.open(dir, model)) {
            for (int c : candidates) {
              for (boolean rescore : new boolean[] {false, true}) {
                measure(index, queryVectors, truth, q, c, rescore);
              }
            }
          }
          continue;
        }
        deleteTree(dir);
        IndexOptions options =
            IndexOptions.builder()
                .quantization(q)
                .hnswM(Integer.parseInt(opts.getOrDefault("hnsw-m", "16")))
                .beamWidth(Integer.parseInt(opts.getOrDefault("beam-width", "100")))
                .ramBufferMb(1900)
                .build();
        long build = System.nanoTime();
        try (LuceneVectorStore index = LuceneVectorStore.create(dir, model, options)) {
          List<Document> batch = new ArrayList<>(1000);
          for (int i = 0; i < size; i++) {
            batch.add(Document.builder(Integer.toString(i)).vector(data[i]).build());
            if (batch.size() == 1000) {
              index.upsert(batch);
              batch.clear();
            }
            if ((i + 1) % 100_000 == 0) {
              System.out.printf(
                  Locale.ROOT, "  %s: %,d added, %.0f s%n", q.externalName(), i + 1, secs(build));
            }
          }
          index.upsert(batch);
          index.commit();
          double addSecs = secs(build);
          long merge = System.nanoTime();
          index.forceMerge(1);
          index.commit();
          double mergeSecs = secs(merge);
          IndexStats stats = index.stats();
          System.out.printf(
              Locale.ROOT,
              "%s: build %.0f s (add+flush %.0f s, merge to one segment %.0f s), %,d vectors,"
                  + " %.1f MB on disk%n",
              q.externalName(),
              addSecs + mergeSecs,
              addSecs,
              mergeSecs,
              stats.chunks(),
              stats.bytesOnDisk() / 1e6);
          stats
              .bytesByPart()
              .forEach(
                  (part, bytes) ->
                      System.out.printf(Locale.ROOT, "    %-28s %10.1f MB%n", part, bytes / 1e6));
          for (int c : candidates) {
            for (boolean rescore : new boolean[] {false, true}) {
              measure(index, queryVectors, truth, q, c, rescore);
            }
          }
        }
        if (!opts.containsKey("keep")) {
          deleteTree(dir);
        }
      }
    }
  }

  private static void measure(
      LuceneVectorStore index,
      float[][] queries,
      int[][] truth,
      Quantization q,
      int candidates,
      boolean rescore) {
    // warm up: JIT and page cache
    for (int i = 0; i < Math.min(200, queries.length); i++) {
      index.search(request(queries[i], candidates, rescore));
    }
    long[] nanos = new long[queries.length];
    double recall = 0;
    for (int i = 0; i < queries.length; i++) {
      long t = System.nanoTime();
      List<SearchHit> hits = index.search(request(queries[i], candidates, rescore));
      nanos[i] = System.nanoTime() - t;
      Set<Integer> expected = new HashSet<>();
      for (int d : truth[i]) {
        expected.add(d);
      }
      int found = 0;
      for (SearchHit h : hits) {
        found += expected.contains(Integer.parseInt(h.id())) ? 1 : 0;
      }
      recall += found / (double) K;
    }
    Arrays.sort(nanos);
    System.out.printf(
        Locale.ROOT,
        "  %-6s candidates=%-4d rescore=%-5s recall@10 %.3f  p50 %.2f ms  p99 %.2f ms%n",
        q.externalName(),
        candidates,
        rescore,
        recall / queries.length,
        nanos[nanos.length / 2] / 1e6,
        nanos[(int) Math.min(nanos.length - 1, Math.round(nanos.length * 0.99))] / 1e6);
  }

  private static SearchRequest request(float[] query, int candidates, boolean rescore) {
    return SearchRequest.builder()
        .vector(query)
        .k(K)
        .numCandidates(candidates)
        .rescore(rescore)
        .build();
  }

  // ------------------------------------------------------------------------------ ingest

  /**
   * Raw text end to end: chunk + embed alone, then chunk + embed + index, on the same documents
   * (paragraphs of 3-8 STS sentences), and the index's share of the total.
   */
  private static void ingest(List<String> sentences, int n, Path work) {
    Random random = new Random(1);
    List<Document> docs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder text = new StringBuilder();
      int m = 3 + random.nextInt(6);
      for (int j = 0; j < m; j++) {
        text.append(sentences.get(random.nextInt(sentences.size()))).append(' ');
      }
      docs.add(
          Document.builder("doc" + i)
              .text(text.toString().trim())
              .metadata("group", "g" + (i % 10))
              .metadata("n", i)
              .build());
    }
    try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2")) {
      Chunker chunker = Chunker.forModel(model);
      // warm up the encoder
      embedOnly(model, chunker, docs.subList(0, Math.min(128, n)));
      double best = Double.MAX_VALUE;
      double bestIndexed = Double.MAX_VALUE;
      for (int round = 0; round < 2; round++) {
        long t = System.nanoTime();
        int chunks = embedOnly(model, chunker, docs);
        double embed = secs(t);
        best = Math.min(best, embed);
        Path dir = work.resolve("ingest");
        deleteTree(dir);
        t = System.nanoTime();
        try (LuceneVectorStore index =
            LuceneVectorStore.create(dir, model, IndexOptions.defaults())) {
          for (int i = 0; i < n; i += 64) {
            index.upsert(docs.subList(i, Math.min(n, i + 64)));
          }
          index.commit();
        }
        double indexed = secs(t);
        bestIndexed = Math.min(bestIndexed, indexed);
        System.out.printf(
            Locale.ROOT,
            "round %d: %d documents, %d chunks: chunk+embed %.1f s (%.0f docs/s);"
                + " chunk+embed+index+commit %.1f s (%.0f docs/s)%n",
            round + 1,
            n,
            chunks,
            embed,
            n / embed,
            indexed,
            n / indexed);
        deleteTree(dir);
      }
      System.out.printf(
          Locale.ROOT,
          "best: embed %.0f docs/s, end to end %.0f docs/s, index overhead %.1f%%%n",
          n / best,
          n / bestIndexed,
          100 * (bestIndexed - best) / best);
    }
  }

  private static int embedOnly(EmbeddingModel model, Chunker chunker, List<Document> docs) {
    int chunks = 0;
    for (int i = 0; i < docs.size(); i += 64) {
      List<String> texts = new ArrayList<>();
      for (Document d : docs.subList(i, Math.min(docs.size(), i + 64))) {
        for (Chunk c : chunker.chunk(d.text())) {
          texts.add(c.text());
        }
      }
      chunks += texts.size();
      model.encodeDocument(texts, EncodeOptions.defaults());
    }
    return chunks;
  }

  // ---------------------------------------------------------------------------- vectors

  static List<String> stsSentences(Path dataDir) throws IOException {
    Set<String> out = new LinkedHashSet<>();
    for (String name : List.of("sts-dev.csv", "sts-test.csv")) {
      for (String line : Files.readAllLines(dataDir.resolve(name))) {
        String[] cols = line.split("\t");
        if (cols.length >= 7) {
          out.add(cols[5].trim());
          out.add(cols[6].trim());
        }
      }
    }
    out.remove("");
    return new ArrayList<>(out);
  }

  /** The sentences' embeddings with all-MiniLM-L6-v2, cached in the work folder. */
  static float[][] centroids(List<String> sentences, Path work) {
    return embedCached(sentences, "all-MiniLM-L6-v2", work);
  }

  /**
   * {@code n} distinct sentences, each the first part of one STS sentence followed by the last part
   * of another (cut at random words): text with the vocabulary and style of real sentences, in far
   * more combinations than the 5,384 originals, so its embeddings spread as real corpora do.
   */
  static List<String> splicedSentences(List<String> sentences, int n, long seed) {
    Random random = new Random(seed);
    List<String[]> words = sentences.stream().map(s -> s.split("\\s+")).toList();
    Set<String> out = new LinkedHashSet<>();
    while (out.size() < n) {
      String[] a = words.get(random.nextInt(words.size()));
      String[] b = words.get(random.nextInt(words.size()));
      int cutA = 1 + random.nextInt(Math.max(1, a.length - 1));
      int cutB = random.nextInt(Math.max(1, b.length - 1));
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < cutA && i < a.length; i++) {
        text.append(a[i]).append(' ');
      }
      for (int i = cutB; i < b.length; i++) {
        text.append(b[i]).append(' ');
      }
      out.add(text.toString().trim());
    }
    return new ArrayList<>(out);
  }

  /**
   * The texts' embeddings, cached in the work folder as an npy embedding file with its model
   * sidecar (a million take a quarter of an hour).
   */
  static float[][] embedCached(List<String> texts, String modelName, Path work) {
    Path cache =
        work.resolve("text-" + modelName + "-" + texts.size() + "-" + texts.hashCode() + ".npy");
    if (Files.exists(cache)) {
      return EmbeddingFiles.read(cache).vectors();
    }
    long t = System.nanoTime();
    float[][] v = new float[texts.size()][];
    try (EmbeddingModel model = EmbeddingModel.load(modelName)) {
      int step = 50_000;
      for (int from = 0; from < texts.size(); from += step) {
        int to = Math.min(texts.size(), from + step);
        float[][] part = model.encode(texts.subList(from, to), EncodeOptions.defaults()).vectors();
        System.arraycopy(part, 0, v, from, part.length);
        System.out.printf(
            Locale.ROOT,
            "  embedded %,d of %,d texts with %s, %.0f texts/s%n",
            to,
            texts.size(),
            modelName,
            to / secs(t));
      }
      EmbeddingFiles.write(cache, EmbeddingFormat.NPY, model.info(), v, null);
    }
    return v;
  }

  /**
   * Mixtures of two real embeddings plus isotropic Gaussian noise of norm about {@code noise}, unit
   * length. Real embeddings have a low intrinsic dimension; noise spreads points over all
   * dimensions, so a larger {@code noise} makes a harder (less realistic) test.
   */
  static float[][] generate(float[][] centroids, int n, long seed, float noiseNorm) {
    int d = centroids[0].length;
    float[][] out = new float[n][];
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              Random r = new Random(seed * 1_000_003L + i);
              float[] a = centroids[r.nextInt(centroids.length)];
              float[] b = centroids[r.nextInt(centroids.length)];
              float w = 0.6f + 0.4f * r.nextFloat();
              float noise = noiseNorm / (float) Math.sqrt(d);
              float[] v = new float[d];
              for (int j = 0; j < d; j++) {
                v[j] = w * a[j] + (1 - w) * b[j] + noise * (float) r.nextGaussian();
              }
              out[i] = Vectors.normalized(v);
            });
    return out;
  }

  /** Exact top-k by brute force (the toolkit's exact search). */
  static int[][] exactTopK(float[][] data, float[][] queries, int k) {
    List<List<Hit>> hits = SemanticSearch.search(queries, data, k);
    int[][] truth = new int[queries.length][];
    for (int q = 0; q < queries.length; q++) {
      truth[q] = hits.get(q).stream().mapToInt(Hit::corpusId).toArray();
    }
    return truth;
  }

  private static double meanSim(float[][] data, float[][] queries, int[][] truth, int rank) {
    double sum = 0;
    for (int i = 0; i < queries.length; i++) {
      float[] v = data[truth[i][rank]];
      double s = 0;
      for (int j = 0; j < v.length; j++) {
        s += queries[i][j] * v[j];
      }
      sum += s;
    }
    return sum / queries.length;
  }

  // ---------------------------------------------------------------------------- helpers

  private static double secs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** {@code --key value} pairs, and the flags {@code --keep} and {@code --reuse}. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String key = args[i].substring(2);
      if (key.equals("keep") || key.equals("reuse")) {
        opts.put(key, "true");
      } else if (i + 1 < args.length) {
        opts.put(key, args[++i]);
      } else {
        throw new IllegalArgumentException("--" + key + " needs a value");
      }
    }
    return opts;
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
