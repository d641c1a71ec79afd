package io.jembed.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.LoadOptions;
import io.jembed.SentenceTransformer;
import io.jembed.SimilarityFunction;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * jembed against LangChain4j's in-process all-MiniLM-L6-v2 (float32 or its quantized variant), in
 * the same JVM, interleaved round by round, on the sentences of the STS-B test split.
 *
 * <pre>
 * java -cp "$(cat bench/target/classpath.txt):bench/target/classes" io.jembed.bench.EncodeBenchmark \
 *     [float32|int8] [--rounds N] [--batch-size N] [--shared DIR]
 * </pre>
 */
public final class EncodeBenchmark {
  /** all-MiniLM-L6-v2's cost per token (2 x parameters touched per token, attention included). */
  static final double FLOP_PER_TOKEN = 21e6;

  /** float32 FMA peak of this machine's two cores (JDK Vector API loop), GFLOP/s. */
  static final double PEAK_GFLOPS = 230;

  public static void main(String[] args) {
    String variant = "float32";
    int rounds = 3;
    int batchSize = EncodeOptions.DEFAULT_BATCH_SIZE;
    Path shared = StsSentences.defaultSharedDir();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--batch-size" -> batchSize = Integer.parseInt(args[++i]);
        case "--shared" -> shared = Path.of(args[++i]);
        case "float32", "int8" -> variant = args[i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<String> sentences = StsSentences.testSentences(shared);
    boolean int8 = variant.equals("int8");
    String jembedName = int8 ? "all-MiniLM-L6-v2-int8" : "all-MiniLM-L6-v2";
    System.out.printf(
        Locale.ROOT,
        "# %s: %d sentences (STS-B test, both columns), %d rounds, batch size %d, %d cores%n",
        jembedName,
        sentences.size(),
        rounds,
        batchSize,
        Runtime.getRuntime().availableProcessors());

    try (SentenceTransformer jembed = SentenceTransformer.load(jembedName)) {
      EmbeddingModel peer =
          int8 ? new AllMiniLmL6V2QuantizedEmbeddingModel() : new AllMiniLmL6V2EmbeddingModel();
      EncodeOptions options = EncodeOptions.builder().batchSize(batchSize).build();
      List<TextSegment> segments = sentences.stream().map(TextSegment::from).toList();

      // warm-up: JIT, ONNX Runtime allocations; two whole passes each, since LangChain4j's rate
      // keeps climbing over its first passes (measured: 462 -> 687 sentences/s over five rounds)
      for (int pass = 0; pass < 2; pass++) {
        jembed.encode(sentences, options);
        peer.embedAll(segments);
      }

      Embeddings reference = jembed.encode(sentences, options);
      long tokens = Arrays.stream(reference.tokenCounts()).asLongStream().sum();

      double[] ours = new double[rounds];
      double[] theirs = new double[rounds];
      List<Embedding> peerVectors = null;
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        jembed.encode(sentences, options);
        ours[r] = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        peerVectors = peer.embedAll(segments).content();
        theirs[r] = (System.nanoTime() - t1) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "round %d: jembed %.0f sentences/s, LangChain4j %.0f sentences/s%n",
            r + 1,
            sentences.size() / ours[r],
            sentences.size() / theirs[r]);
      }
      double ourSeconds = median(ours);
      double theirSeconds = median(theirs);
      double ourRate = sentences.size() / ourSeconds;
      double theirRate = sentences.size() / theirSeconds;
      double tokensPerSecond = tokens / ourSeconds;
      double gflops = tokensPerSecond * FLOP_PER_TOKEN / 1e9;
      System.out.printf(
          Locale.ROOT,
          "throughput  jembed %.0f sentences/s (%.0f tokens/s, %.1f tokens/sentence, %.0f GFLOP/s ="
              + " %.0f%% of %.0f peak) | LangChain4j %.0f sentences/s | ratio %.2fx%n",
          ourRate,
          tokensPerSecond,
          (double) tokens / sentences.size(),
          gflops,
          100 * gflops / PEAK_GFLOPS,
          PEAK_GFLOPS,
          theirRate,
          ourRate / theirRate);

      // the same vectors as the peer (both are mean-pooled, normalized all-MiniLM-L6-v2)
      double minCosine = 1;
      double sumCosine = 0;
      for (int i = 0; i < sentences.size(); i++) {
        double c = SimilarityFunction.COSINE.score(reference.get(i), peerVectors.get(i).vector());
        minCosine = Math.min(minCosine, c);
        sumCosine += c;
      }
      System.out.printf(
          Locale.ROOT,
          "agreement   min cosine(jembed, LangChain4j) = %.6f, mean %.6f%s%n",
          minCosine,
          sumCosine / sentences.size(),
          int8
              ? " (the int8 export scales activations per batch: LangChain4j runs one text at a"
                  + " time, jembed batches; README, Models)"
              : "");

      try (SentenceTransformer unfused =
          SentenceTransformer.load(
              jembedName, LoadOptions.builder().property("graphFusion", "false").build())) {
        latency(jembed, unfused, peer);
      }
      longPassages(jembed, peer, int8, sentences, rounds);
    }
  }

  /**
   * One short query at a time, warm, in blocks of 100 per runtime: jembed, jembed on the graph as
   * exported (graphFusion=false), LangChain4j.
   */
  static void latency(
      SentenceTransformer jembed, SentenceTransformer unfused, EmbeddingModel peer) {
    String query = "how do I run a website behind nginx?";
    int n = 1000;
    double[] ours = new double[n];
    double[] exported = new double[n];
    double[] theirs = new double[n];
    for (int i = 0; i < 100; i++) {
      jembed.encode(query);
      unfused.encode(query);
      peer.embed(query);
    }
    // blocks of 100, alternating: per-call interleaving would let one runtime's spinning worker
    // threads slow the other one down
    for (int block = 0; block < n; block += 100) {
      for (int i = block; i < block + 100; i++) {
        long t0 = System.nanoTime();
        jembed.encode(query);
        ours[i] = (System.nanoTime() - t0) / 1e6;
      }
      for (int i = block; i < block + 100; i++) {
        long t0 = System.nanoTime();
        unfused.encode(query);
        exported[i] = (System.nanoTime() - t0) / 1e6;
      }
      for (int i = block; i < block + 100; i++) {
        long t1 = System.nanoTime();
        peer.embed(query);
        theirs[i] = (System.nanoTime() - t1) / 1e6;
      }
    }
    Arrays.sort(ours);
    Arrays.sort(exported);
    Arrays.sort(theirs);
    System.out.printf(
        Locale.ROOT,
        "latency     one short query, warm: jembed p50 %.2f ms p99 %.2f ms | jembed, graph as"
            + " exported p50 %.2f ms p99 %.2f ms | LangChain4j p50 %.2f ms p99 %.2f ms%n",
        ours[n / 2],
        ours[n * 99 / 100],
        exported[n / 2],
        exported[n * 99 / 100],
        theirs[n / 2],
        theirs[n * 99 / 100]);
  }

  static void longPassages(
      SentenceTransformer jembed,
      EmbeddingModel peer,
      boolean int8,
      List<String> sentences,
      int rounds) {
    List<String> passages = StsSentences.longPassages(sentences, jembed::countTokens, 150);
    List<TextSegment> segments = passages.stream().map(TextSegment::from).toList();
    Embeddings e = jembed.encode(passages, EncodeOptions.defaults());
    long tokens = Arrays.stream(e.tokenCounts()).asLongStream().sum();
    // the peer as shipped truncates at 128 tokens (its tokenizer.json says so); the same peer with
    // that limit raised to 256 does the same work as jembed and must give the same vectors
    EmbeddingModel fullPeer = LangChain4jFullLength.load(int8);
    peer.embedAll(segments.subList(0, 10));
    fullPeer.embedAll(segments.subList(0, 10));
    double[] ours = new double[rounds];
    double[] theirs = new double[rounds];
    double[] theirsFull = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      jembed.encode(passages, EncodeOptions.defaults());
      ours[r] = (System.nanoTime() - t0) / 1e9;
      long t1 = System.nanoTime();
      peer.embedAll(segments);
      theirs[r] = (System.nanoTime() - t1) / 1e9;
      long t2 = System.nanoTime();
      fullPeer.embedAll(segments);
      theirsFull[r] = (System.nanoTime() - t2) / 1e9;
    }
    List<Embedding> peerVectors = peer.embedAll(segments).content();
    List<Embedding> fullPeerVectors = fullPeer.embedAll(segments).content();
    Embeddings cut;
    try (SentenceTransformer cut128 =
        SentenceTransformer.load(
            jembed.id(), io.jembed.LoadOptions.builder().property("maxSeqLength", "128").build())) {
      cut = cut128.encode(passages, EncodeOptions.defaults());
    }
    double meanFull = 0;
    double meanCut = 0;
    double minSameWork = 1;
    for (int i = 0; i < passages.size(); i++) {
      meanFull += SimilarityFunction.COSINE.score(e.get(i), peerVectors.get(i).vector());
      meanCut += SimilarityFunction.COSINE.score(cut.get(i), peerVectors.get(i).vector());
      minSameWork =
          Math.min(
              minSameWork,
              SimilarityFunction.COSINE.score(e.get(i), fullPeerVectors.get(i).vector()));
    }
    System.out.printf(
        Locale.ROOT,
        "long        mean cosine(LangChain4j, jembed full length) = %.5f; (LangChain4j, jembed cut at"
            + " 128 tokens) = %.5f; min cosine(LangChain4j at 256 tokens, jembed) = %.5f%n",
        meanFull / passages.size(),
        meanCut / passages.size(),
        minSameWork);
    long theirTokens = Arrays.stream(cut.tokenCounts()).asLongStream().sum();
    boolean peerTruncates = meanCut / passages.size() > meanFull / passages.size();
    double ourRate = tokens / median(ours);
    // tokens the peer actually ran through the model (it stops at 128 when it truncates)
    double theirRate = (peerTruncates ? theirTokens : tokens) / median(theirs);
    double fullRate = tokens / median(theirsFull);
    System.out.printf(
        Locale.ROOT,
        "long        %d passages of 200-256 tokens (%.0f tokens each): jembed %.1f passages/s, %.0f"
            + " tokens/s | LangChain4j at 256 tokens (same work) %.1f passages/s, %.0f tokens/s,"
            + " ratio %.2fx | LangChain4j as shipped %.1f passages/s, %.0f tokens/s%s, tokens/s"
            + " ratio %.2fx%n",
        passages.size(),
        (double) tokens / passages.size(),
        passages.size() / median(ours),
        ourRate,
        passages.size() / median(theirsFull),
        fullRate,
        ourRate / fullRate,
        passages.size() / median(theirs),
        theirRate,
        peerTruncates ? " of the first 128 tokens it keeps" : "",
        ourRate / theirRate);
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
