package io.jembed.bench;

import io.jembed.EncodeOptions;
import io.jembed.LoadOptions;
import io.jembed.SentenceTransformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lets measurements decide the engine's defaults: session layout (one session with intra-op threads
 * or several single-thread sessions), batch size and the padded-token budget, each configuration
 * run interleaved with the others on the STS-B test sentences (or 200-256-token passages with
 * --long), in one encode call or, with --per-call N, in calls of N consecutive texts (the pattern
 * of an application that embeds small mixed-length groups, where batching matters most).
 *
 * <pre>
 * java -cp ... io.jembed.bench.EngineTuningBenchmark [--model all-MiniLM-L6-v2] [--rounds 3] [--long]
 *     [--per-call N] [--configs workers:batchSize:maxBatchTokens[:property=value&...],...]
 * </pre>
 */
public final class EngineTuningBenchmark {
  record Config(
      String name, int workers, int batchSize, int maxBatchTokens, Map<String, String> properties) {
    Config(String name, int workers, int batchSize, int maxBatchTokens) {
      this(name, workers, batchSize, maxBatchTokens, Map.of());
    }
  }

  public static void main(String[] args) {
    String model = "all-MiniLM-L6-v2";
    int rounds = 3;
    boolean longPassages = false;
    int perCall = 0;
    String configSpec = null;
    Path shared = StsSentences.defaultSharedDir();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = args[++i];
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--shared" -> shared = Path.of(args[++i]);
        case "--long" -> longPassages = true;
        case "--per-call" -> perCall = Integer.parseInt(args[++i]);
        case "--configs" -> configSpec = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<String> sentences = StsSentences.testSentences(shared);
    List<Config> configs =
        configSpec != null
            ? parse(configSpec)
            : List.of(
                new Config("1 worker x 2 threads, batch 32", 1, 32, 16_384),
                new Config("2 workers x 1 thread, batch 32", 2, 32, 16_384),
                new Config("1 worker x 2 threads, batch 128", 1, 128, 16_384),
                new Config("2 workers x 1 thread, batch 128", 2, 128, 16_384),
                new Config("2 workers x 1 thread, batch 128, 4096 tokens", 2, 128, 4_096),
                new Config("1 worker x 2 threads, batch 128, 4096 tokens", 1, 128, 4_096));
    Map<Config, SentenceTransformer> models = new LinkedHashMap<>();
    try {
      for (Config c : configs) {
        LoadOptions.Builder load =
            LoadOptions.builder()
                .property("workers", String.valueOf(c.workers()))
                .property("maxBatchTokens", String.valueOf(c.maxBatchTokens()));
        c.properties().forEach(load::property);
        models.put(c, SentenceTransformer.load(model, load.build()));
      }
      List<String> texts =
          longPassages
              ? StsSentences.longPassages(
                  sentences, models.values().iterator().next()::countTokens, 150)
              : sentences;
      long tokens = 0;
      for (int t :
          models.values().iterator().next().encode(texts, EncodeOptions.defaults()).tokenCounts()) {
        tokens += t;
      }
      System.out.printf(
          Locale.ROOT,
          "# %s, %d texts, %d tokens, %d rounds%s%n",
          model,
          texts.size(),
          tokens,
          rounds,
          perCall > 0 ? ", in calls of " + perCall + " texts" : "");
      Map<Config, List<Double>> rates = new LinkedHashMap<>();
      for (int r = 0; r < rounds; r++) {
        for (Config c : configs) {
          EncodeOptions options = EncodeOptions.builder().batchSize(c.batchSize()).build();
          int step = perCall > 0 ? perCall : texts.size();
          long t0 = System.nanoTime();
          for (int from = 0; from < texts.size(); from += step) {
            models.get(c).encode(texts.subList(from, Math.min(texts.size(), from + step)), options);
          }
          double seconds = (System.nanoTime() - t0) / 1e9;
          rates.computeIfAbsent(c, k -> new ArrayList<>()).add(texts.size() / seconds);
        }
      }
      for (Config c : configs) {
        double[] v = rates.get(c).stream().mapToDouble(Double::doubleValue).toArray();
        double median = EncodeBenchmark.median(v);
        System.out.printf(
            Locale.ROOT,
            "%-60s %7.0f texts/s %9.0f tokens/s%n",
            c.name(),
            median,
            median * tokens / texts.size());
      }
    } finally {
      models.values().forEach(SentenceTransformer::close);
    }
  }

  /**
   * "workers:batchSize:maxBatchTokens[:property=value&property=value],..." with LoadOptions
   * properties such as sessions=1, latencySession=false or ortConfig=key=value;key=value.
   */
  static List<Config> parse(String spec) {
    List<Config> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      String[] f = part.split(":", 4);
      int workers = Integer.parseInt(f[0]);
      int batch = Integer.parseInt(f[1]);
      int budget = Integer.parseInt(f[2]);
      Map<String, String> properties = new LinkedHashMap<>();
      if (f.length > 3) {
        for (String property : f[3].split("&")) {
          int eq = property.indexOf('=');
          properties.put(property.substring(0, eq), property.substring(eq + 1));
        }
      }
      out.add(
          new Config(
              workers
                  + " workers, batch "
                  + batch
                  + ", "
                  + budget
                  + " tokens"
                  + (properties.isEmpty() ? "" : ", " + properties),
              workers,
              batch,
              budget,
              properties));
    }
    return out;
  }
}
