package io.jembed.bench;

import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchMode;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The vector stores side by side, in one run on the same documents: for each store location (a
 * folder for the embedded Lucene index, {@code postgresql://...}, {@code opensearch://...} when
 * that module is on the class path), the ingest rate with pre-computed vectors and with embedding
 * included, query latency (p50, p99) for vector, keyword and hybrid search, recall@10 of vector
 * search against exact search, the share of each store's keyword top 10 that the first folder
 * store's (Lucene's BM25) also holds, and the size; for PostgreSQL also the database's own bulk
 * rate on the same rows ({@link PgBulkBaseline}); and the same ingest through LangChain4j's own
 * pgvector store ({@code --langchain4j postgresql://...}).
 *
 * <p>Documents are {@link IndexBenchmark}'s generated sentences (STS sentence halves spliced) with
 * their embeddings, cached in the work folder; the last {@code --queries} are held out as queries
 * (their vectors for vector search, their texts for keyword search, both for hybrid). Each store
 * takes all documents in batches of 1000 and commits once: the bulk path.
 *
 * <pre>
 * java -Xmx4g -cp ... io.jembed.bench.StoreBenchmark --size 100000 \
 *     --stores 'target/store-bench/lucene,opensearch://127.0.0.1:9200/bench,postgresql://jembed@127.0.0.1:5432/jembed?table=bench&amp;options=-c%20maintenance_work_mem%3D2GB' \
 *     --langchain4j 'postgresql://jembed@127.0.0.1:5432/jembed?table=bench_lc4j'
 * </pre>
 *
 * Measure OpenSearch on a node sized for indexing (a few GB of heap, the JVM's full JIT): the k-NN
 * plugin's Lucene engine builds its HNSW graphs inside the node's JVM. Results and the setup
 * measured: docs/benchmarks.md, "Vector stores".
 *
 * <p>Options: --size N (100000), --queries N (500), --stores list (required), --embed N (documents
 * for the ingest with embedding included, 2000; 0 skips it), --quantization q (none: float vectors
 * in every store, like for like), --candidates N (100), --text-model name (all-MiniLM-L6-v2-int8),
 * --langchain4j location, --dir folder (target/store-bench), --keep (keep the stores), --reuse
 * (measure the queries on a store kept by an earlier --keep run of the same size), --baseline
 * yes|no (PostgreSQL's own bulk rate on the same rows, yes), --shared folder (../shared).
 */
public final class StoreBenchmark {
  private static final int K = 10;
  private static final int BATCH = 1000;

  /** One store's figures, for the summary table. */
  private record Row(
      String store,
      double ingestDocsPerSec,
      double embedIngestDocsPerSec,
      double[] vector,
      double recall,
      double[] keyword,
      double[] hybrid,
      List<List<String>> keywordTops,
      long bytes,
      String note) {}

  // held strongly: java.util.logging forgets the level of loggers nobody references
  private static final java.util.logging.Logger POOL_LOG =
      java.util.logging.Logger.getLogger("com.zaxxer.hikari");

  private StoreBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = IndexBenchmark.parse(args);
    POOL_LOG.setLevel(java.util.logging.Level.WARNING); // the pool's start and stop lines
    Path shared =
        Path.of(opts.getOrDefault("shared", System.getProperty("jembed.shared.dir", "../shared")));
    Path work = Path.of(opts.getOrDefault("dir", "target/store-bench"));
    Files.createDirectories(work);
    int size = Integer.parseInt(opts.getOrDefault("size", "100000"));
    int queries = Integer.parseInt(opts.getOrDefault("queries", "500"));
    int embedDocs = Integer.parseInt(opts.getOrDefault("embed", "2000"));
    int candidates = Integer.parseInt(opts.getOrDefault("candidates", "100"));
    Quantization quantization = Quantization.parse(opts.getOrDefault("quantization", "none"));
    String textModel = opts.getOrDefault("text-model", "all-MiniLM-L6-v2-int8");
    if (!opts.containsKey("stores")) {
      throw new IllegalArgumentException("--stores needs a comma-separated list of locations");
    }
    List<StoreLocation> stores =
        Arrays.stream(opts.get("stores").split(",")).map(StoreLocation::parse).toList();

    List<String> texts =
        IndexBenchmark.splicedSentences(
            IndexBenchmark.stsSentences(shared.resolve("data")), size + queries, 42);
    long t0 = System.nanoTime();
    float[][] all = IndexBenchmark.embedCached(texts, textModel, work);
    float[][] data = Arrays.copyOfRange(all, 0, size);
    float[][] queryVectors = Arrays.copyOfRange(all, size, size + queries);
    List<String> queryTexts = texts.subList(size, size + queries);
    int[][] truth = IndexBenchmark.exactTopK(data, queryVectors, K);
    System.out.printf(
        Locale.ROOT,
        "%,d documents and %d queries (generated sentences, %s vectors), exact top-%d ready in"
            + " %.0f s%n",
        size,
        queries,
        textModel,
        K,
        secs(t0));
    IndexOptions options = IndexOptions.builder().quantization(quantization).build();

    List<Row> rows = new ArrayList<>();
    for (StoreLocation location : stores) {
      rows.add(
          measure(
              location,
              options,
              texts,
              data,
              queryVectors,
              queryTexts,
              truth,
              candidates,
              embedDocs,
              textModel,
              work,
              opts.containsKey("keep"),
              opts.containsKey("reuse"),
              !opts.getOrDefault("baseline", "yes").equals("no")));
    }
    if (opts.containsKey("langchain4j")) {
      rows.add(
          langChain4j(
              (StoreLocation.Postgres) StoreLocation.parse(opts.get("langchain4j")),
              texts.subList(0, size),
              data,
              embedDocs));
    }
    printTable(rows, size, queries, embedDocs, quantization, candidates);
  }

  private static Row measure(
      StoreLocation location,
      IndexOptions options,
      List<String> texts,
      float[][] data,
      float[][] queryVectors,
      List<String> queryTexts,
      int[][] truth,
      int candidates,
      int embedDocs,
      String textModel,
      Path work,
      boolean keep,
      boolean reuse,
      boolean baseline)
      throws Exception {
    String name = location.scheme();
    System.out.printf(Locale.ROOT, "%n== %s (%s)%n", name, location);
    boolean reused = reuse && holds(location, data.length, data[0].length);
    if (!reused) {
      VectorStores.provider(location).drop(location);
    }
    double ingest = Double.NaN;
    long bytes;
    double recall;
    double[] vector = new double[2];
    double[] keyword = new double[2];
    double[] hybrid = new double[2];
    List<List<String>> tops = new ArrayList<>();
    try (EmbeddingModel model = new VectorOnlyModel(data[0].length);
        VectorStore store =
            reused
                ? VectorStores.open(location, model)
                : VectorStores.create(location, model, options)) {
      if (reused) {
        System.out.printf(
            Locale.ROOT, "reusing the %,d documents kept by an earlier run%n", data.length);
      } else {
        ingest = ingest(store, texts, data);
      }
      bytes = store.stats().bytesOnDisk();
      warmUp(store, queryVectors, queryTexts, candidates);
      recall =
          latencies(
              store, queryVectors, queryTexts, truth, SearchMode.VECTOR, candidates, vector, null);
      latencies(
          store, queryVectors, queryTexts, truth, SearchMode.KEYWORD, candidates, keyword, tops);
      latencies(
          store, queryVectors, queryTexts, truth, SearchMode.HYBRID, candidates, hybrid, null);
      System.out.printf(
          Locale.ROOT,
          "vector  p50 %.2f ms  p99 %.2f ms  recall@10 %.3f%nkeyword p50 %.2f ms  p99 %.2f ms%n"
              + "hybrid  p50 %.2f ms  p99 %.2f ms%n",
          vector[0],
          vector[1],
          recall,
          keyword[0],
          keyword[1],
          hybrid[0],
          hybrid[1]);
    }
    String note = "";
    if (location instanceof StoreLocation.Postgres pg && baseline) {
      double[] own = PgBulkBaseline.measure(pg, work);
      double total = own[0] + own[1];
      note =
          String.format(
              Locale.ROOT,
              "PostgreSQL's own bulk rate on the same rows (binary COPY %.1f s + index build %.1f s):"
                  + " %,.0f docs/s; jembed reaches %.0f%% of it",
              own[0],
              own[1],
              data.length / total,
              100 * total / ingest);
      System.out.println(note);
    }
    if (!keep) {
      VectorStores.provider(location).drop(location);
    }
    double embedRate =
        embedDocs > 0 ? embeddedIngest(location, options, texts, embedDocs, textModel) : 0;
    return new Row(
        name, data.length / ingest, embedRate, vector, recall, keyword, hybrid, tops, bytes, note);
  }

  /** Upserts every document in batches and commits once; the seconds it took. */
  private static double ingest(VectorStore store, List<String> texts, float[][] data) {
    long t = System.nanoTime();
    List<Document> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < data.length; i++) {
      batch.add(
          Document.builder("d" + i)
              .text(texts.get(i))
              .vector(data[i])
              .metadata("group", "g" + (i % 10))
              .metadata("n", i)
              .build());
      if (batch.size() == BATCH) {
        store.upsert(batch);
        batch.clear();
      }
      if ((i + 1) % 100_000 == 0 && i + 1 < data.length) { // progress on long runs
        System.out.printf(Locale.ROOT, "  %,d documents sent, %.0f s%n", i + 1, secs(t));
      }
    }
    store.upsert(batch);
    store.commit();
    double ingest = secs(t);
    long bytes = store.stats().bytesOnDisk();
    System.out.printf(
        Locale.ROOT,
        "ingest, vectors given: %,d documents in %.1f s = %,.0f docs/s (commit and index build"
            + " included); %.0f MB%n",
        data.length,
        ingest,
        data.length / ingest,
        bytes / 1e6);
    return ingest;
  }

  /** Whether {@code location} exists and holds {@code n} documents (kept by a --keep run). */
  private static boolean holds(StoreLocation location, int n, int dimensions) {
    try (EmbeddingModel model = new VectorOnlyModel(dimensions);
        VectorStore store = VectorStores.openReadOnly(location, model)) {
      return store.stats().documents() == n;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Documents/s of create + add (chunk, embed, write) + commit with the real model. */
  private static double embeddedIngest(
      StoreLocation location, IndexOptions options, List<String> texts, int n, String textModel) {
    StoreLocation target = location.sibling("embed");
    VectorStores.provider(target).drop(target);
    try (EmbeddingModel model = EmbeddingModel.load(textModel)) {
      model.encodeDocument(texts.subList(0, Math.min(64, n)), EncodeOptions.defaults()); // warm up
      long t = System.nanoTime();
      try (VectorStore store = VectorStores.create(target, model, options)) {
        for (int i = 0; i < n; i += 64) {
          List<Document> batch = new ArrayList<>(64);
          for (int j = i; j < Math.min(n, i + 64); j++) {
            batch.add(
                Document.builder("d" + j)
                    .text(texts.get(j))
                    .metadata("group", "g" + (j % 10))
                    .build());
          }
          store.upsert(batch);
        }
        store.commit();
      }
      double s = secs(t);
      System.out.printf(
          Locale.ROOT,
          "ingest, embedding included (%s): %,d documents in %.1f s = %,.0f docs/s%n",
          textModel,
          n,
          s,
          n / s);
      return n / s;
    } finally {
      VectorStores.provider(target).drop(target);
    }
  }

  private static Row langChain4j(
      StoreLocation.Postgres location, List<String> texts, float[][] data, int embedDocs)
      throws Exception {
    System.out.printf(Locale.ROOT, "%n== LangChain4j PgVectorEmbeddingStore (%s)%n", location);
    double s = LangChain4jPgVectorIngest.withVectors(location, texts, data, BATCH);
    System.out.printf(
        Locale.ROOT,
        "ingest, vectors given: %,d documents in %.1f s = %,.0f docs/s (no vector index)%n",
        texts.size(),
        s,
        texts.size() / s);
    double embedRate = 0;
    if (embedDocs > 0) {
      double e = LangChain4jPgVectorIngest.withEmbedding(location, texts.subList(0, embedDocs), 64);
      embedRate = embedDocs / e;
      System.out.printf(
          Locale.ROOT,
          "ingest, embedding included (its all-MiniLM-L6-v2 quantized): %,d documents in %.1f s ="
              + " %,.0f docs/s%n",
          embedDocs,
          e,
          embedRate);
    }
    LangChain4jPgVectorIngest.drop(location);
    return new Row(
        "LangChain4j pgvector",
        texts.size() / s,
        embedRate,
        null,
        Double.NaN,
        null,
        null,
        null,
        -1,
        "no vector index (its default); no keyword or hybrid search measured");
  }

  // ----------------------------------------------------------------------------------- queries

  private static SearchRequest request(
      SearchMode mode, float[] vector, String text, int candidates) {
    SearchRequest.Builder b = SearchRequest.builder().mode(mode).k(K).numCandidates(candidates);
    if (mode != SearchMode.KEYWORD) {
      b.vector(vector);
    }
    if (mode != SearchMode.VECTOR) {
      b.query(text);
    }
    return b.build();
  }

  private static void warmUp(
      VectorStore store, float[][] vectors, List<String> texts, int candidates) {
    for (SearchMode mode : SearchMode.values()) {
      for (int i = 0; i < Math.min(100, vectors.length); i++) {
        store.search(request(mode, vectors[i], texts.get(i), candidates));
      }
    }
  }

  /**
   * Fills {p50, p99} in ms, and each query's hit ids in {@code tops} unless null; returns recall@10
   * against the exact top 10 (vector mode).
   */
  private static double latencies(
      VectorStore store,
      float[][] vectors,
      List<String> texts,
      int[][] truth,
      SearchMode mode,
      int candidates,
      double[] percentiles,
      List<List<String>> tops) {
    long[] nanos = new long[vectors.length];
    double recall = 0;
    for (int i = 0; i < vectors.length; i++) {
      long t = System.nanoTime();
      List<SearchHit> hits = store.search(request(mode, vectors[i], texts.get(i), candidates));
      nanos[i] = System.nanoTime() - t;
      if (tops != null) {
        tops.add(hits.stream().map(SearchHit::id).toList());
      }
      Set<String> expected = new HashSet<>();
      for (int d : truth[i]) {
        expected.add("d" + d);
      }
      recall += hits.stream().filter(h -> expected.contains(h.id())).count() / (double) K;
    }
    Arrays.sort(nanos);
    percentiles[0] = nanos[nanos.length / 2] / 1e6;
    percentiles[1] = nanos[(int) Math.min(nanos.length - 1, Math.round(nanos.length * 0.99))] / 1e6;
    return recall / vectors.length;
  }

  // ------------------------------------------------------------------------------------ report

  private static void printTable(
      List<Row> rows, int size, int queries, int embedDocs, Quantization q, int candidates) {
    System.out.printf(
        Locale.ROOT,
        "%n%,d documents, %d queries, k = %d, %d candidates, quantization %s, HNSW M=16 beam 100;"
            + " embedding included: %,d documents%n%n",
        size,
        queries,
        K,
        candidates,
        q.externalName(),
        embedDocs);
    System.out.println(
        "| store | ingest, vectors given (docs/s) | ingest, embedding included (docs/s) | vector"
            + " p50 / p99 (ms) | recall@10 | keyword p50 / p99 (ms) | keyword overlap@10 with the"
            + " folder's BM25 | hybrid p50 / p99 (ms) | size (MB) |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    List<List<String>> bm25 =
        rows.stream()
            .filter(r -> r.store().equals("folder"))
            .map(Row::keywordTops)
            .findFirst()
            .orElse(null);
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          r.store(),
          Double.isNaN(r.ingestDocsPerSec())
              ? "- (reused)"
              : String.format(Locale.ROOT, "%,.0f", r.ingestDocsPerSec()),
          r.embedIngestDocsPerSec() > 0
              ? String.format(Locale.ROOT, "%,.0f", r.embedIngestDocsPerSec())
              : "-",
          ms(r.vector()),
          Double.isNaN(r.recall()) ? "-" : String.format(Locale.ROOT, "%.3f", r.recall()),
          ms(r.keyword()),
          bm25 == null || r.keywordTops() == null
              ? "-"
              : String.format(Locale.ROOT, "%.3f", overlap(r.keywordTops(), bm25)),
          ms(r.hybrid()),
          r.bytes() < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", r.bytes() / 1e6));
    }
    for (Row r : rows) {
      if (!r.note().isEmpty()) {
        System.out.println("- " + r.store() + ": " + r.note());
      }
    }
  }

  /** The share of the reference's top {@value #K} that each query's hits hold, averaged. */
  private static double overlap(List<List<String>> tops, List<List<String>> reference) {
    double sum = 0;
    for (int i = 0; i < tops.size(); i++) {
      Set<String> expected = new HashSet<>(reference.get(i));
      sum +=
          expected.isEmpty()
              ? 1
              : tops.get(i).stream().filter(expected::contains).count() / (double) expected.size();
    }
    return sum / tops.size();
  }

  private static String ms(double[] p) {
    return p == null ? "-" : String.format(Locale.ROOT, "%.2f / %.2f", p[0], p[1]);
  }

  private static double secs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
