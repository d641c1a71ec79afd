package io.jembed.bench;

import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.LoadOptions;
import io.jembed.SentenceTransformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Very long inputs: {@code --threads} threads at once each encode one text of {@code --mb} MB (STS
 * test sentences joined by spaces, each thread starting at another sentence); then, all at once
 * again, each counts the tokens of its text. Prints each call's seconds, the wall time and the peak
 * resident memory. The model keeps max_seq_length tokens of each text, so what is measured is the
 * cost of getting there.
 *
 * <pre>
 * java -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp ... io.jembed.bench.LongInputBenchmark
 *     [--threads 8] [--mb 2] [--model all-MiniLM-L6-v2] [--shared ../shared]
 *     [--property tokenizePrefix=false]
 * </pre>
 */
public final class LongInputBenchmark {
  public static void main(String[] args) throws Exception {
    int threads = 8;
    double mb = 2;
    String model = "all-MiniLM-L6-v2";
    Path shared = StsSentences.defaultSharedDir();
    LoadOptions.Builder load = LoadOptions.builder();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--mb" -> mb = Double.parseDouble(args[++i]);
        case "--model" -> model = args[++i];
        case "--shared" -> shared = Path.of(args[++i]);
        case "--property" -> {
          String[] kv = args[++i].split("=", 2);
          load.property(kv[0], kv[1]);
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<String> sentences = StsSentences.testSentences(shared);
    List<String> texts = new ArrayList<>();
    int chars = (int) (mb * 1024 * 1024);
    for (int t = 0; t < threads; t++) {
      StringBuilder sb = new StringBuilder(chars + 256);
      for (int i = t * 97; sb.length() < chars; i++) {
        sb.append(sentences.get(i % sentences.size())).append(' ');
      }
      texts.add(sb.substring(0, chars));
    }
    try (SentenceTransformer m = SentenceTransformer.load(model, load.build())) {
      m.encode(List.of("warm up"), EncodeOptions.defaults());
      System.out.printf(
          Locale.ROOT,
          "# %s: %d threads, one %.1f MB text each; after load: rss %d MB%n",
          model,
          threads,
          mb,
          MemoryBenchmark.rssMb("VmRSS"));
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      run(
          "encode",
          pool,
          texts,
          text -> {
            Embeddings e = m.encode(List.of(text), EncodeOptions.defaults());
            return "truncated " + e.truncated(0) + ", " + e.tokenCounts()[0] + " tokens kept";
          });
      run(
          "countTokens",
          pool,
          texts,
          text -> String.format(Locale.ROOT, "%,d tokens", m.countTokens(text)));
      pool.shutdown();
    }
  }

  /**
   * Runs {@code task} on every text at once; prints each one's seconds, the wall time, the peak.
   */
  private static void run(
      String name, ExecutorService pool, List<String> texts, Function<String, String> task)
      throws Exception {
    long t0 = System.nanoTime();
    List<Future<String>> results = new ArrayList<>();
    for (String text : texts) {
      results.add(
          pool.submit(
              () -> {
                long s = System.nanoTime();
                String what = task.apply(text);
                return String.format(
                    Locale.ROOT, "%.2f s (%s)", (System.nanoTime() - s) / 1e9, what);
              }));
    }
    for (int i = 0; i < results.size(); i++) {
      System.out.println(name + " " + i + ": " + results.get(i).get());
    }
    System.out.printf(
        Locale.ROOT,
        "%s: wall %.2f s, peak rss so far %d MB%n",
        name,
        (System.nanoTime() - t0) / 1e9,
        MemoryBenchmark.rssMb("VmHWM"));
  }
}
