package io.jembed.server.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's load test, loopback only and bounded in time. Phase 1 measures in-process batch
 * encoding of the STS test sentences; phase 2 sends the same sentences one per request from many
 * concurrent clients to {@code POST /v1/embeddings} and reports throughput, p50/p99 latency, errors
 * and the ratio to phase 1; phase 3 (overload) runs the clients against a server with a small
 * request limit and checks that the excess gets 429 fast while accepted requests are correct.
 *
 * <pre>
 * java ... io.jembed.server.loadtest.LoadTest [--clients 64] [--seconds 20] [--model all-MiniLM-L6-v2]
 *     [--data ../shared/data/sts-test.csv] [--encoding base64|float] [--max-batch-tokens N]
 *     [--url http://127.0.0.1:8080] [--api-key KEY] [--no-overload]
 * </pre>
 */
public final class LoadTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private int clients = 64;
  private int seconds = 20;
  private String modelName = "all-MiniLM-L6-v2";
  private Path data;
  private String encoding = "base64";
  private int maxBatchTokens = ServerOptions.DEFAULT_MAX_BATCH_TOKENS;
  private URI url;
  private String apiKey;
  private boolean overload = true;

  public static void main(String[] args) throws Exception {
    LoadTest t = new LoadTest();
    t.parse(args);
    t.run();
  }

  private void parse(String[] args) {
    String shared = System.getProperty("jembed.shared.dir", "/work/shared");
    data = Path.of(shared, "data", "sts-test.csv");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--clients" -> clients = Integer.parseInt(value(args, ++i, a));
        case "--seconds" -> seconds = Integer.parseInt(value(args, ++i, a));
        case "--model" -> modelName = value(args, ++i, a);
        case "--data" -> data = Path.of(value(args, ++i, a));
        case "--encoding" -> encoding = value(args, ++i, a);
        case "--max-batch-tokens" -> maxBatchTokens = Integer.parseInt(value(args, ++i, a));
        case "--url" -> url = URI.create(value(args, ++i, a));
        case "--api-key" -> apiKey = value(args, ++i, a);
        case "--no-overload" -> overload = false;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (clients < 1 || seconds < 1 || seconds > 600) {
      throw new IllegalArgumentException("--clients >= 1 and --seconds in 1..600");
    }
    if (!encoding.equals("base64") && !encoding.equals("float")) {
      throw new IllegalArgumentException("--encoding is base64 or float");
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /** The distinct sentences of the STS file (columns 6 and 7, tab-separated). */
  static List<String> sentences(Path file) throws IOException {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] cols = line.split("\t");
      if (cols.length >= 7) {
        out.add(cols[5].strip());
        out.add(cols[6].strip());
      }
    }
    out.remove("");
    return List.copyOf(out);
  }

  private void run() throws Exception {
    List<String> sentences = sentences(data);
    System.out.printf(
        Locale.ROOT,
        "jembed server load test: %d sentences from %s, %d clients, %d s, %s, %d cores%n",
        sentences.size(),
        data.getFileName(),
        clients,
        seconds,
        encoding,
        Runtime.getRuntime().availableProcessors());
    try (EmbeddingModel model = EmbeddingModel.load(modelName)) {
      double inProcess = inProcess(model, sentences);
      Phase phase;
      if (url != null) {
        phase = drive(url, apiKey, sentences, model.dimension(), seconds);
      } else {
        try (EmbeddingServer server =
            EmbeddingServer.builder()
                .model(modelName, model)
                .options(
                    ServerOptions.builder()
                        .port(0)
                        .maxBatchTokens(maxBatchTokens)
                        .maxConcurrentRequests(
                            Math.max(ServerOptions.DEFAULT_MAX_CONCURRENT_REQUESTS, clients))
                        .build())
                .start()) {
          drive(
              server.uri(),
              null,
              sentences.subList(0, Math.min(200, sentences.size())),
              model.dimension(),
              2);
          phase = drive(server.uri(), null, sentences, model.dimension(), seconds);
          printBatchSizes(server.uri());
        }
      }
      // measured again after the server phase: on a shared machine the load drifts; use the mean
      double inProcessAfter = inProcess(model, sentences);
      inProcess = (inProcess + inProcessAfter) / 2;
      double ratio = phase.throughput() / inProcess;
      System.out.printf(
          Locale.ROOT,
          "server: %d requests in %.1f s = %.1f sentences/s, errors %d, latency p50 %.1f ms,"
              + " p99 %.1f ms, max %.1f ms%n",
          phase.ok,
          phase.seconds,
          phase.throughput(),
          phase.errors,
          phase.percentile(0.50),
          phase.percentile(0.99),
          phase.percentile(1.0));
      if (!phase.statuses.isEmpty()) {
        System.out.println("server: non-200 answers by status " + phase.statuses);
      }
      System.out.printf(
          Locale.ROOT,
          "ratio: server / in-process (mean of before and after, %.1f sentences/s) = %.2f"
              + " (target >= 0.80): %s%n",
          inProcess,
          ratio,
          ratio >= 0.8 && phase.errors == 0 ? "PASS" : "FAIL");
      if (overload && url == null) {
        overload(model, sentences);
      }
    }
  }

  /** Sentences per second of one batch encode call over all sentences (after a warm-up). */
  private double inProcess(EmbeddingModel model, List<String> sentences) {
    model.encode(sentences.subList(0, Math.min(256, sentences.size())), EncodeOptions.defaults());
    long t0 = System.nanoTime();
    int rounds = 0;
    long done = 0;
    // at least one full pass, and at least a third of the server phase, for a steadier figure
    while (rounds == 0 || System.nanoTime() - t0 < seconds * 1_000_000_000L / 3) {
      model.encode(sentences, EncodeOptions.defaults());
      done += sentences.size();
      rounds++;
    }
    double s = (System.nanoTime() - t0) / 1e9;
    double rate = done / s;
    System.out.printf(
        Locale.ROOT,
        "in-process: encode(%d sentences, batch size %d) x %d in %.1f s = %.1f sentences/s%n",
        sentences.size(),
        EncodeOptions.DEFAULT_BATCH_SIZE,
        rounds,
        s,
        rate);
    return rate;
  }

  private static final class Phase {
    final LongAdder okAdder = new LongAdder();
    final LongAdder errorAdder = new LongAdder();
    final Map<Integer, LongAdder> statusCounts = new ConcurrentHashMap<>();
    final List<long[]> latencies = new ArrayList<>();
    long ok;
    long errors;
    double seconds;
    Map<Integer, Long> statuses = Map.of();
    long[] sorted = new long[0];

    double throughput() {
      return ok / seconds;
    }

    double percentile(double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
      return sorted[Math.max(0, i)] / 1e6;
    }
  }

  /** Each client sends one sentence per request, back to back, until the time is up. */
  private Phase drive(URI base, String key, List<String> sentences, int dimension, int forSeconds)
      throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    Phase phase = new Phase();
    AtomicLong next = new AtomicLong();
    long deadline = System.nanoTime() + forSeconds * 1_000_000_000L;
    long t0 = System.nanoTime();
    List<long[]> perClient = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        long[] lat = new long[1 << 16];
        perClient.add(lat);
        int client = c;
        pool.submit(
            () -> {
              int n = 0;
              while (System.nanoTime() < deadline) {
                String s = sentences.get((int) (next.getAndIncrement() % sentences.size()));
                long start = System.nanoTime();
                int status = call(http, base, key, s, dimension);
                long took = System.nanoTime() - start;
                if (status == 200) {
                  phase.okAdder.increment();
                  if (n < lat.length - 1) {
                    lat[++n] = took;
                  }
                } else {
                  phase.errorAdder.increment();
                  phase.statusCounts.computeIfAbsent(status, k -> new LongAdder()).increment();
                }
              }
              lat[0] = n;
              return client;
            });
      }
    }
    phase.seconds = (System.nanoTime() - t0) / 1e9;
    phase.ok = phase.okAdder.sum();
    phase.errors = phase.errorAdder.sum();
    Map<Integer, Long> st = new java.util.TreeMap<>();
    phase.statusCounts.forEach((k, v) -> st.put(k, v.sum()));
    phase.statuses = st;
    int total = 0;
    for (long[] l : perClient) {
      total += (int) l[0];
    }
    long[] all = new long[total];
    int pos = 0;
    for (long[] l : perClient) {
      System.arraycopy(l, 1, all, pos, (int) l[0]);
      pos += (int) l[0];
    }
    Arrays.sort(all);
    phase.sorted = all;
    return phase;
  }

  /** One request; 200 only counts when the vector is there and has the model's dimension. */
  private int call(HttpClient http, URI base, String key, String sentence, int dimension) {
    try {
      String body =
          JSON.writeValueAsString(
              Map.of("input", sentence, "model", modelName, "encoding_format", encoding));
      HttpRequest.Builder b =
          HttpRequest.newBuilder(base.resolve("/v1/embeddings"))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (key != null) {
        b.header("Authorization", "Bearer " + key);
      }
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        return r.statusCode();
      }
      JsonNode e = JSON.readTree(r.body()).at("/data/0/embedding");
      int length = e.isTextual() ? Base64.getDecoder().decode(e.asText()).length / 4 : e.size();
      return length == dimension ? 200 : -2;
    } catch (IOException e) {
      return -1; // connection failure
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void printBatchSizes(URI base) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString());
      double sum = 0;
      double count = 0;
      for (String line : r.body().split("\n")) {
        if (line.startsWith("jembed_batch_size_sum")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        } else if (line.startsWith("jembed_batch_size_count")) {
          count += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      System.out.printf(
          Locale.ROOT,
          "server: %.0f merged batches, %.1f sentences per batch on average%n",
          count,
          sum / count);
    } catch (IOException | InterruptedException e) {
      System.out.println("server: no metrics (" + e.getMessage() + ")");
    }
  }

  /**
   * A server that admits 8 requests at once, driven by all clients: the excess gets 429 without
   * waiting for the model, and every accepted answer is the right vector.
   */
  private void overload(EmbeddingModel model, List<String> sentences) throws Exception {
    int limit = 8;
    int forSeconds = Math.max(3, seconds / 4);
    List<String> sample = sentences.subList(0, Math.min(64, sentences.size()));
    float[][] expected = model.encode(sample);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    LongAdder accepted = new LongAdder();
    LongAdder rejected = new LongAdder();
    LongAdder wrong = new LongAdder();
    List<Long> rejectNanos = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Long> acceptNanos = java.util.Collections.synchronizedList(new ArrayList<>());
    try (EmbeddingServer server =
        EmbeddingServer.builder()
            .model(modelName, model)
            .options(ServerOptions.builder().port(0).maxConcurrentRequests(limit).build())
            .start()) {
      long deadline = System.nanoTime() + forSeconds * 1_000_000_000L;
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < clients; c++) {
          int client = c;
          pool.submit(
              () -> {
                int i = client;
                while (System.nanoTime() < deadline) {
                  int k = i++ % sample.size();
                  long t0 = System.nanoTime();
                  HttpResponse<byte[]> r =
                      http.send(
                          HttpRequest.newBuilder(server.uri().resolve("/v1/embeddings"))
                              .POST(
                                  HttpRequest.BodyPublishers.ofString(
                                      JSON.writeValueAsString(
                                          Map.of(
                                              "input",
                                              sample.get(k),
                                              "encoding_format",
                                              "base64"))))
                              .build(),
                          HttpResponse.BodyHandlers.ofByteArray());
                  long took = System.nanoTime() - t0;
                  if (r.statusCode() == 429) {
                    rejected.increment();
                    rejectNanos.add(took);
                    Thread.sleep(5); // a polite client backs off a little
                  } else if (r.statusCode() == 200) {
                    accepted.increment();
                    acceptNanos.add(took);
                    byte[] b =
                        Base64.getDecoder()
                            .decode(JSON.readTree(r.body()).at("/data/0/embedding").asText());
                    float[] v = new float[b.length / 4];
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                    if (model.similarity(v, expected[k]) < 0.99999f) {
                      wrong.increment();
                    }
                  } else {
                    wrong.increment();
                  }
                }
                return null;
              });
        }
      }
    }
    long[] rej = rejectNanos.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] acc = acceptNanos.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(
        Locale.ROOT,
        "overload (limit %d requests, %d clients, %d s): %d accepted (p50 %.1f ms, p99 %.1f ms),"
            + " %d rejected with 429 (p50 %.2f ms, p99 %.2f ms), %d wrong or failed: %s%n",
        limit,
        clients,
        forSeconds,
        accepted.sum(),
        pct(acc, 0.5),
        pct(acc, 0.99),
        rejected.sum(),
        pct(rej, 0.5),
        pct(rej, 0.99),
        wrong.sum(),
        wrong.sum() == 0 && rejected.sum() > 0 && pct(rej, 0.99) < pct(acc, 0.5) ? "PASS" : "FAIL");
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }
}
