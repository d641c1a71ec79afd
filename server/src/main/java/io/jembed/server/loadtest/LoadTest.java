package io.jembed.server.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import io.jembed.server.loadtest.LoadStats.Latencies;
import io.jembed.server.loadtest.LoadStats.MemorySampler;
import io.jembed.server.loadtest.LoadStats.Statuses;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's load test: it measures the promises of docs/server.md on loopback, bounded in time,
 * against the real model, in-process or against a running server ({@code --url}).
 *
 * <ol>
 *   <li>in-process batch encoding of the STS test sentences (the reference);
 *   <li>unloaded peak: closed-loop clients, one sentence per request, back to back;
 *   <li>overload: requests arrive at a multiple of the peak (open loop) for the same time; useful
 *       throughput (inputs answered 200 within the client timeout), latency of admitted requests,
 *       how fast the excess is refused and whether it carries Retry-After;
 *   <li>recovery: one-sentence probes from the moment the overload stops, until latency is normal;
 *   <li>slow clients: connections that send half a body or drip their headers, while the
 *       closed-loop clients run again; when each slow connection is cut;
 *   <li>clients that leave: requests whose clients hang up after 200 ms; how much of their work the
 *       server dropped, and how soon its queue is empty;
 *   <li>huge inputs: 2 MB strings, 8 clients at a time, then a burst of 64; latency and peak
 *       memory;
 *   <li>shutdown (in-process only): close with a full queue, against grace + 2 s.
 * </ol>
 *
 * <pre>
 * java ... io.jembed.server.loadtest.LoadTest [--clients 64] [--seconds 20] [--overload 4]
 *     [--texts 8] [--client-timeout 10] [--model all-MiniLM-L6-v2] [--data FILE]
 *     [--url http://127.0.0.1:8080 [--api-key KEY] [--server-pid PID]]
 *     [--phases peak,overload,slow,gone,huge,shutdown]
 * </pre>
 */
public final class LoadTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private int clients = 64;
  private int seconds = 20;
  private double overload = 4;
  private int texts = 8;
  private Duration clientTimeout = Duration.ofSeconds(10);
  private String modelName = "all-MiniLM-L6-v2";
  private Path data;
  private URI url;
  private String apiKey;
  private long serverPid;
  private List<String> phases = List.of("peak", "overload", "slow", "gone", "huge", "shutdown");

  private List<String> sentences;
  private LoadClient client;

  public static void main(String[] args) throws Exception {
    LoadTest t = new LoadTest();
    t.parse(args);
    t.run();
  }

  private void parse(String[] args) {
    String shared = System.getProperty("jembed.shared.dir", "../shared");
    data = Path.of(shared, "data", "sts-test.csv");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--clients" -> clients = Integer.parseInt(value(args, ++i, a));
        case "--seconds" -> seconds = Integer.parseInt(value(args, ++i, a));
        case "--overload" -> overload = Double.parseDouble(value(args, ++i, a));
        case "--texts" -> texts = Integer.parseInt(value(args, ++i, a));
        case "--client-timeout" ->
            clientTimeout = Duration.ofSeconds(Long.parseLong(value(args, ++i, a)));
        case "--model" -> modelName = value(args, ++i, a);
        case "--data" -> data = Path.of(value(args, ++i, a));
        case "--url" -> url = URI.create(value(args, ++i, a));
        case "--api-key" -> apiKey = value(args, ++i, a);
        case "--server-pid" -> serverPid = Long.parseLong(value(args, ++i, a));
        case "--phases" -> phases = List.of(value(args, ++i, a).split(","));
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (clients < 1 || seconds < 1 || seconds > 600 || texts < 1 || overload <= 0) {
      throw new IllegalArgumentException(
          "--clients, --texts >= 1, --seconds in 1..600, --overload > 0");
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
    sentences = sentences(data);
    System.out.printf(
        Locale.ROOT,
        "jembed server load test: %d sentences from %s, %d clients, %d s, %d cores, %s%n",
        sentences.size(),
        data.getFileName(),
        clients,
        seconds,
        Runtime.getRuntime().availableProcessors(),
        url == null ? "in-process server, default limits" : "server at " + url);
    if (url != null) {
      client = new LoadClient(sentences, url, apiKey, -1, clientTimeout);
      measure(null);
      return;
    }
    try (EmbeddingModel model = EmbeddingModel.load(modelName)) {
      double before = inProcess(model);
      serverPid = ProcessHandle.current().pid();
      try (EmbeddingServer server =
          EmbeddingServer.builder()
              .model(modelName, model)
              .options(ServerOptions.builder().port(0).build())
              .start()) {
        client = new LoadClient(sentences, server.uri(), null, model.dimension(), clientTimeout);
        measure(before);
      }
      if (phases.contains("shutdown")) {
        shutdown(model);
      }
    }
  }

  private void measure(Double inProcess) throws Exception {
    client.closedLoop(clients, 2, 1); // warm-up
    Latencies idle = new Latencies();
    for (int i = 0; i < 20; i++) {
      idle.add(Math.abs(client.probe(null)));
    }
    double normalMs = idle.ms(0.5);
    System.out.printf(Locale.ROOT, "unloaded single request: %s%n", idle.summary());
    // the peak: closed-loop clients, one sentence per request and `texts` per request (as the
    // overload sends), with as many inputs outstanding; the better of the two
    int half = Math.max(1, seconds / 2);
    LoadClient.Run single = client.closedLoop(clients, half, 1);
    printPeak(clients, 1, half, single);
    int fewer = Math.max(1, clients / texts);
    LoadClient.Run batched = client.closedLoop(fewer, half, texts);
    printPeak(fewer, texts, half, batched);
    LoadClient.Run peak = single.inputsPerSecond() >= batched.inputsPerSecond() ? single : batched;
    if (inProcess != null) {
      System.out.printf(
          Locale.ROOT,
          "peak / in-process encode (%.1f sentences/s) = %.2f%n",
          inProcess,
          peak.inputsPerSecond() / inProcess);
    }
    double peakRate = peak.inputsPerSecond();
    if (phases.contains("overload")) {
      overload(peakRate, normalMs);
    }
    if (phases.contains("slow")) {
      slowClients(peakRate);
    }
    if (phases.contains("gone")) {
      goneClients();
    }
    if (phases.contains("huge")) {
      hugeInputs();
    }
  }

  private void printPeak(int clientCount, int perRequest, int forSeconds, LoadClient.Run run) {
    System.out.printf(
        Locale.ROOT,
        "peak (%d clients, %d sentences per request, %d s): %.1f inputs/s, %s, statuses %s%s%n",
        clientCount,
        perRequest,
        forSeconds,
        run.inputsPerSecond(),
        run.ok.summary(),
        run.statuses,
        run.refused.count() == 0 ? "" : "; last refusal: " + client.lastRefusal());
  }

  /** Sentences per second of one batch encode call over all sentences (after a warm-up). */
  private double inProcess(EmbeddingModel model) {
    model.encode(sentences.subList(0, Math.min(256, sentences.size())), EncodeOptions.defaults());
    long t0 = System.nanoTime();
    int rounds = 0;
    while (rounds == 0 || System.nanoTime() - t0 < seconds * 1_000_000_000L / 3) {
      model.encode(sentences, EncodeOptions.defaults());
      rounds++;
    }
    double rate = (double) rounds * sentences.size() / ((System.nanoTime() - t0) / 1e9);
    System.out.printf(
        Locale.ROOT,
        "in-process: encode(%d sentences, batch size %d) x %d = %.1f sentences/s%n",
        sentences.size(),
        EncodeOptions.DEFAULT_BATCH_SIZE,
        rounds,
        rate);
    return rate;
  }

  // ---------------------------------------------------------------- overload and recovery

  private void overload(double peakRate, double normalMs) throws Exception {
    double requestsPerSecond = overload * peakRate / texts;
    long interval = (long) (1e9 / requestsPerSecond);
    LoadClient.Run run = new LoadClient.Run();
    long t0 = System.nanoTime();
    long end = t0 + seconds * 1_000_000_000L;
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    for (long at = t0; at < end; at += interval) {
      long wait = at - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      long scheduled = at;
      String json = client.body(texts);
      pool.submit(
          () -> {
            LoadClient.Answer a = client.post(json, clientTimeout);
            long done = System.nanoTime();
            client.record(run, a, done - scheduled, done <= end);
          });
    }
    run.seconds = seconds;
    // the load has stopped: how soon is a single request served as fast as before?
    double threshold = Math.max(2 * normalMs, normalMs + 20);
    long stop = System.nanoTime();
    double recoveredAfter = Double.NaN;
    int normalInARow = 0;
    List<String> trace = new ArrayList<>();
    while (System.nanoTime() - stop < 30_000_000_000L) {
      long nanos = client.probe(null);
      long ms = Math.abs(nanos) / 1_000_000;
      double at = (System.nanoTime() - stop) / 1e9;
      if (trace.size() < 12) {
        trace.add(String.format(Locale.ROOT, "%.1fs:%dms%s", at, ms, nanos < 0 ? "(refused)" : ""));
      }
      if (nanos > 0 && ms <= threshold) {
        if (normalInARow++ == 0) {
          recoveredAfter = at;
        }
        if (normalInARow == 5) {
          break;
        }
      } else {
        normalInARow = 0;
        recoveredAfter = Double.NaN;
      }
    }
    pool.close();
    long refusedCount = run.refused.count();
    System.out.printf(
        Locale.ROOT,
        "overload (%.1fx the peak: %.1f requests/s of %d sentences = %.0f inputs/s offered, %d s,"
            + " client timeout %d s): useful %.1f inputs/s = %.2f of the peak (target >= 0.80);"
            + " admitted %s; refused %d (%s), %.0f%% with Retry-After; statuses %s%n",
        overload,
        requestsPerSecond,
        texts,
        requestsPerSecond * texts,
        seconds,
        clientTimeout.toSeconds(),
        run.inputsPerSecond(),
        run.inputsPerSecond() / peakRate,
        run.ok.summary(),
        refusedCount,
        run.refused.summary(),
        refusedCount == 0 ? 0.0 : 100.0 * run.refusedWithRetryAfter.sum() / refusedCount,
        run.statuses);
    System.out.printf(
        Locale.ROOT,
        "recovery: normal latency (<= %.0f ms, 5 in a row) %s after the load stopped; probes %s%n",
        threshold,
        Double.isNaN(recoveredAfter)
            ? "not within 30 s"
            : String.format(Locale.ROOT, "%.1f s", recoveredAfter),
        trace);
  }

  // ---------------------------------------------------------------- slow clients

  private void slowClients(double peakRate) throws Exception {
    int count = 600; // more than the default limit of requests in flight
    try (SlowClients slow = SlowClients.open(client.base(), count, count / 2)) {
      LoadClient.Run run = client.closedLoop(clients, Math.max(5, seconds / 2), 1);
      System.out.printf(
          Locale.ROOT,
          "slow clients (%d sending half a body, %d dripping headers): others get %.1f inputs/s"
              + " = %.2f of the peak, %s, statuses %s%n",
          count,
          count / 2,
          run.inputsPerSecond(),
          run.inputsPerSecond() / peakRate,
          run.ok.summary(),
          run.statuses);
      System.out.println("slow clients: " + slow.awaitCut(Duration.ofSeconds(60)));
    }
  }

  // ---------------------------------------------------------------- clients that leave

  private void goneClients() throws Exception {
    Map<String, Double> before = LoadStats.scrape(client.http(), client.base(), apiKey);
    int perRequest = 32;
    int forSeconds = Math.max(5, seconds / 4);
    Duration patience = Duration.ofMillis(200);
    LongAdder sent = new LongAdder();
    Statuses statuses = new Statuses();
    long deadline = System.nanoTime() + forSeconds * 1_000_000_000L;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        pool.submit(
            () -> {
              while (System.nanoTime() < deadline) {
                sent.add(perRequest);
                statuses.add(client.post(client.body(perRequest), patience).status());
              }
            });
      }
    }
    long stop = System.nanoTime();
    double drained = Double.NaN;
    while (System.nanoTime() - stop < 120_000_000_000L) {
      Map<String, Double> m = LoadStats.scrape(client.http(), client.base(), apiKey);
      if (LoadStats.sum(m, "jembed_queue_inputs") == 0) {
        drained = (System.nanoTime() - stop) / 1e9;
        break;
      }
      Thread.sleep(100);
    }
    Map<String, Double> after = LoadStats.scrape(client.http(), client.base(), apiKey);
    double dropped =
        LoadStats.sum(after, "jembed_dropped_inputs_total", "client_gone")
            - LoadStats.sum(before, "jembed_dropped_inputs_total", "client_gone");
    double encoded =
        LoadStats.sum(after, "jembed_inputs_total") - LoadStats.sum(before, "jembed_inputs_total");
    System.out.printf(
        Locale.ROOT,
        "clients that leave (%d clients, %d sentences per request, hang up after %d ms, %d s):"
            + " %d inputs sent, statuses %s; the server dropped %.0f inputs unencoded and encoded"
            + " %.0f; its queue was empty %s after the clients stopped%n",
        clients,
        perRequest,
        patience.toMillis(),
        forSeconds,
        sent.sum(),
        statuses,
        dropped,
        encoded,
        Double.isNaN(drained) ? "not within 120 s" : String.format(Locale.ROOT, "%.1f s", drained));
  }

  // ---------------------------------------------------------------- huge inputs

  private void hugeInputs() throws Exception {
    // 1.9 MB of the STS sentences, one after another: under the default 2 MB body limit
    StringBuilder sb = new StringBuilder(1_900_100);
    for (int i = 0; sb.length() < 1_900_000; i++) {
      sb.append(sentences.get(i % sentences.size())).append(' ');
    }
    String text = sb.toString();
    String json = JSON.writeValueAsString(Map.of("input", text, "encoding_format", "base64"));
    long rssBefore = LoadStats.rssBytes(serverPid) >> 20;
    LoadClient.Run alone = new LoadClient.Run();
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      client.record(
          alone, client.post(json, Duration.ofSeconds(120)), System.nanoTime() - t0, true);
    }
    System.out.printf(
        Locale.ROOT,
        "huge inputs one at a time (1.9 MB strings): %s, statuses %s%n",
        alone.ok.summary(),
        alone.statuses);
    LoadClient.Run steady = new LoadClient.Run();
    Latencies probes = new Latencies();
    Statuses probeStatuses = new Statuses();
    int forSeconds = Math.max(10, seconds / 2);
    try (MemorySampler memory = new MemorySampler(serverPid)) {
      long deadline = System.nanoTime() + forSeconds * 1_000_000_000L;
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < 8; c++) {
          pool.submit(
              () -> {
                while (System.nanoTime() < deadline) {
                  long t0 = System.nanoTime();
                  LoadClient.Answer a = client.post(json, Duration.ofSeconds(120));
                  client.record(steady, a, System.nanoTime() - t0, true);
                }
              });
        }
        pool.submit(
            () -> {
              while (System.nanoTime() < deadline) {
                long nanos = client.probe(probeStatuses);
                if (nanos > 0) {
                  probes.add(nanos);
                }
                Thread.sleep(200);
              }
              return null;
            });
      }
      LoadClient.Run burst = new LoadClient.Run();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < 64; c++) {
          pool.submit(
              () -> {
                long t0 = System.nanoTime();
                client.record(
                    burst,
                    client.post(json, Duration.ofSeconds(120)),
                    System.nanoTime() - t0,
                    true);
              });
        }
      }
      System.out.printf(
          Locale.ROOT,
          "huge inputs (1.9 MB strings, 8 clients, %d s): %d answered, %s, statuses %s;"
              + " one-sentence probes meanwhile %s, statuses %s%n",
          forSeconds,
          steady.ok.count(),
          steady.ok.summary(),
          steady.statuses,
          probes.summary(),
          probeStatuses);
      System.out.printf(
          Locale.ROOT,
          "huge burst (64 at once): statuses %s, answered %s, refused %s%n",
          burst.statuses,
          burst.ok.summary(),
          burst.refused.summary());
      System.out.printf(
          Locale.ROOT,
          "memory: resident %d MB before, peak %d MB%s%n",
          rssBefore,
          memory.peakRssMb(),
          memory.peakHeapMb() < 0 ? "" : ", peak heap used " + memory.peakHeapMb() + " MB");
    }
  }

  // ---------------------------------------------------------------- shutdown

  private void shutdown(EmbeddingModel model) throws Exception {
    Duration grace = Duration.ofSeconds(3);
    // a server that admits all of it, so that minutes of work are queued at the close
    EmbeddingServer server =
        EmbeddingServer.builder()
            .model(modelName, model)
            .options(
                ServerOptions.builder()
                    .port(0)
                    .shutdownGrace(grace)
                    .maxQueueTokens(10_000_000)
                    .maxQueueWait(Duration.ofHours(1))
                    .build())
            .start();
    client.base(server.uri());
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    Statuses statuses = new Statuses();
    for (int i = 0; i < 128; i++) {
      String json = client.body(256);
      pool.submit(() -> statuses.add(client.post(json, Duration.ofSeconds(120)).status()));
    }
    Thread.sleep(2000);
    long t0 = System.nanoTime();
    server.close();
    double took = (System.nanoTime() - t0) / 1e9;
    pool.close();
    System.out.printf(
        Locale.ROOT,
        "shutdown (128 requests of 256 sentences queued, grace %d s): close() took %.1f s (target"
            + " <= %d s); answers %s%n",
        grace.toSeconds(),
        took,
        grace.toSeconds() + 2,
        statuses);
  }
}
