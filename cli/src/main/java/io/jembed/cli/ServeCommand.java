package io.jembed.cli;

import io.jembed.EmbeddingModel;
import io.jembed.LoadOptions;
import io.jembed.index.IndexMetadata;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.server.EmbeddingServer;
import io.jembed.server.ServerOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jembed serve}: an OpenAI-compatible embedding server (plus text-embeddings-inference's
 * /embed and /similarity, and /search over indexes) until interrupted; Ctrl+C lets requests in
 * flight finish.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Serve embeddings over HTTP: POST /v1/embeddings (OpenAI), /embed and /similarity"
          + " (text-embeddings-inference), /search over indexes; GET /health, /info, /metrics.",
      "Runs until interrupted; Ctrl+C finishes the requests in flight, then exits."
    })
public final class ServeCommand implements Callable<Integer> {

  @Option(
      names = {"-m", "--model"},
      paramLabel = "[NAME=]MODEL",
      description =
          "A model to serve (repeatable): bundled name, folder, Hub id or hosted model, served"
              + " under NAME if given. The first is the default. Default: "
              + ModelOptions.DEFAULT_MODEL
              + ".")
  List<String> models = new ArrayList<>();

  @Option(
      names = "--default-model",
      paramLabel = "NAME",
      description = "The model for requests that name none (default: the first --model).")
  String defaultModel;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = ServerOptions.DEFAULT_HOST,
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the server).")
  String host;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      defaultValue = "" + ServerOptions.DEFAULT_PORT,
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @ArgGroup(exclusive = true)
  ApiKeySource apiKey;

  /** Where the bearer token comes from: never from the command line, where ps would show it. */
  static final class ApiKeySource {
    @Option(
        names = "--api-key-env",
        paramLabel = "VAR",
        description =
            "Require 'Authorization: Bearer KEY', KEY read from this environment variable.")
    String env;

    @Option(
        names = "--api-key-file",
        paramLabel = "FILE",
        description = "Require 'Authorization: Bearer KEY', KEY read from this file (first line).")
    Path file;
  }

  @Option(
      names = "--max-batch-tokens",
      paramLabel = "N",
      defaultValue = "" + ServerOptions.DEFAULT_MAX_BATCH_TOKENS,
      description = "Token budget of one model call (default: ${DEFAULT-VALUE}).")
  int maxBatchTokens;

  @Option(
      names = "--max-concurrent",
      paramLabel = "N",
      defaultValue = "" + ServerOptions.DEFAULT_MAX_CONCURRENT_REQUESTS,
      description =
          "Requests admitted at once (queued, encoding or searching); more get 429 (default:"
              + " ${DEFAULT-VALUE}).")
  int maxConcurrent;

  @Option(
      names = "--max-queue-tokens",
      paramLabel = "N",
      defaultValue = "" + ServerOptions.DEFAULT_MAX_QUEUE_TOKENS,
      description =
          "Tokens queued per model across requests; more get 429, a request larger than this"
              + " alone gets 422 (default: ${DEFAULT-VALUE}).")
  int maxQueueTokens;

  @Option(
      names = "--max-queue-wait-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description =
          "Longest a new request may expect to wait behind the queued work (at the rate the model"
              + " encodes); longer gets 429 at once (default: ${DEFAULT-VALUE}).")
  int maxQueueWaitMs;

  @Option(
      names = "--request-timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "Deadline of a request once read: work still queued then is dropped, the request gets"
              + " 503 (default: ${DEFAULT-VALUE}).")
  int requestTimeout;

  @Option(
      names = "--read-timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description =
          "Longest a request's headers and body may take to arrive; slower clients get 408 and"
              + " are disconnected (default: ${DEFAULT-VALUE}).")
  int readTimeout;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      defaultValue = "" + ServerOptions.DEFAULT_MAX_CONNECTIONS,
      description =
          "Open connections at most; more are closed at once (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--max-client-batch",
      paramLabel = "N",
      defaultValue = "" + ServerOptions.DEFAULT_MAX_CLIENT_BATCH_SIZE,
      description = "Most inputs in one request; more get 422 (default: ${DEFAULT-VALUE}).")
  int maxClientBatch;

  @Option(
      names = "--max-body",
      paramLabel = "BYTES",
      defaultValue = "" + ServerOptions.DEFAULT_MAX_BODY_BYTES,
      description = "Largest request body; larger get 413 (default: ${DEFAULT-VALUE}).")
  long maxBody;

  @Option(
      names = "--max-body-in-flight",
      paramLabel = "BYTES",
      description =
          "Request bodies held at once across connections; more get 503 (default: "
              + ServerOptions.DEFAULT_MAX_BODY_BYTES_IN_FLIGHT
              + ", or --max-body if larger).")
  Long maxBodyInFlight;

  @Option(
      names = "--max-batch-wait-ms",
      paramLabel = "MS",
      defaultValue = "5",
      description =
          "How long a batch may wait for more requests under steady load (default:"
              + " ${DEFAULT-VALUE}; 0 never waits).")
  int maxBatchWaitMs;

  @Option(
      names = "--truncate",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Cut inputs longer than the model's maximum (default); --no-truncate rejects them"
              + " with 422. /embed's \"truncate\" field overrides it per request.")
  boolean truncate;

  @Option(
      names = "--index",
      paramLabel = "NAME=LOCATION",
      description =
          "An index (folder, postgresql://..., opensearch://...) to search at POST /search under NAME (repeatable).")
  List<String> indexes = new ArrayList<>();

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Inference threads per local model (default: all cores).")
  Integer threads;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "How long Ctrl+C waits for requests in flight before dropping the rest; the process"
              + " ends within this plus 2 s (default: ${DEFAULT-VALUE}).")
  int shutdownGrace;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private volatile EmbeddingServer server;
  private final CountDownLatch started = new CountDownLatch(1);

  @Override
  public Integer call() {
    ServerOptions options = serverOptions();
    Map<String, String> modelSpecs = modelSpecs();
    Map<String, String> indexDirs = pairs(indexes, "--index", "NAME=DIR");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<AutoCloseable> resources = new ArrayList<>();
    Thread hook = null;
    try {
      LoadOptions load = LoadOptions.builder().threads(threads).build();
      EmbeddingServer.Builder builder = EmbeddingServer.builder().options(options);
      Map<String, EmbeddingModel> served = new LinkedHashMap<>();
      for (Map.Entry<String, String> m : modelSpecs.entrySet()) {
        EmbeddingModel model = EmbeddingModel.load(m.getValue(), load);
        resources.add(model);
        served.put(m.getKey(), model);
        builder.model(m.getKey(), model);
      }
      if (defaultModel != null) {
        if (!served.containsKey(defaultModel)) {
          throw new UsageException(
              "--default-model " + defaultModel + " is not served; served: " + served.keySet());
        }
        builder.defaultModel(defaultModel);
      }
      for (Map.Entry<String, String> ix : indexDirs.entrySet()) {
        StoreLocation location = StoreLocation.parse(ix.getValue());
        IndexMetadata meta = VectorStores.describe(location);
        EmbeddingModel model = null;
        for (EmbeddingModel m : served.values()) {
          if (m.info().identity().equals(meta.model().identity())) {
            model = m;
          }
        }
        if (model == null) {
          // the index's model embeds its queries, without being served itself
          model = EmbeddingModel.load(meta.modelName(), load);
          resources.add(model);
        }
        VectorStore store = VectorStores.openReadOnly(location, model);
        resources.add(store);
        builder.index(ix.getKey(), store, model);
      }
      server = builder.start();
      EmbeddingServer running = server;
      hook = new Thread(running::close, "jembed-serve-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      out.println(running.uri());
      out.flush();
      err.println(
          "jembed: serving "
              + String.join(", ", running.modelNames())
              + " (default "
              + running.defaultModel()
              + ")"
              + (indexDirs.isEmpty() ? "" : " and indexes " + String.join(", ", indexDirs.keySet()))
              + " at "
              + running.uri()
              + "; OpenAI base URL "
              + running.uri()
              + "/v1"
              + (options.requiresApiKey() ? "; API key required" : "")
              + ". Ctrl+C stops.");
      err.flush();
      started.countDown();
      running.awaitShutdown();
      err.println("jembed: stopped");
      err.flush();
      return JembedCli.OK;
    } finally {
      started.countDown();
      stopAndClose(server, hook, resources, err);
    }
  }

  /**
   * Stops the server (if it started), removes its shutdown hook (if added) and closes what it
   * served, last opened first; a failure to close is reported, not thrown.
   */
  static void stopAndClose(
      EmbeddingServer server, Thread hook, List<AutoCloseable> resources, PrintWriter err) {
    if (server != null) {
      server.close();
    }
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook is running
      }
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        err.println("jembed: closing failed: " + JembedCli.oneLine(e));
      }
    }
  }

  /** Stops a running server as Ctrl+C would (for tests and embedding). */
  void stop() {
    EmbeddingServer s = server;
    if (s != null) {
      s.close();
    }
  }

  /** The running server once started (null before and if start failed). */
  EmbeddingServer awaitStarted() throws InterruptedException {
    started.await();
    return server;
  }

  private ServerOptions serverOptions() {
    if (port < 0 || port > 65_535) {
      throw new UsageException("--port must be in 0..65535, got " + port);
    }
    positive("--max-batch-tokens", maxBatchTokens);
    positive("--max-concurrent", maxConcurrent);
    positive("--max-client-batch", maxClientBatch);
    if (maxBody < 1) {
      throw new UsageException("--max-body must be positive, got " + maxBody);
    }
    if (maxBatchWaitMs < 0 || maxBatchWaitMs > 1000) {
      throw new UsageException("--max-batch-wait-ms must be in 0..1000, got " + maxBatchWaitMs);
    }
    positive("--max-queue-tokens", maxQueueTokens);
    positive("--max-queue-wait-ms", maxQueueWaitMs);
    positive("--request-timeout", requestTimeout);
    positive("--read-timeout", readTimeout);
    positive("--max-connections", maxConnections);
    if (maxBodyInFlight != null && maxBodyInFlight < maxBody) {
      throw new UsageException(
          "--max-body-in-flight must be at least --max-body ("
              + maxBody
              + "), got "
              + maxBodyInFlight);
    }
    if (shutdownGrace < 0) {
      throw new UsageException("--shutdown-grace must not be negative, got " + shutdownGrace);
    }
    if (threads != null && threads < 1) {
      throw new UsageException("--threads must be positive, got " + threads);
    }
    ServerOptions.Builder options =
        ServerOptions.builder()
            .host(host)
            .port(port)
            .apiKey(readApiKey())
            .maxBatchTokens(maxBatchTokens)
            .maxConcurrentRequests(maxConcurrent)
            .maxClientBatchSize(maxClientBatch)
            .maxBodyBytes(maxBody)
            .maxBatchWait(Duration.ofMillis(maxBatchWaitMs))
            .truncate(truncate)
            .shutdownGrace(Duration.ofSeconds(shutdownGrace))
            .maxQueueTokens(maxQueueTokens)
            .maxQueueWait(Duration.ofMillis(maxQueueWaitMs))
            .requestTimeout(Duration.ofSeconds(requestTimeout))
            .readTimeout(Duration.ofSeconds(readTimeout))
            .maxConnections(maxConnections);
    if (maxBodyInFlight != null) {
      options.maxBodyBytesInFlight(maxBodyInFlight);
    }
    return options.build();
  }

  private String readApiKey() {
    if (apiKey == null) {
      return null;
    }
    String key;
    if (apiKey.env != null) {
      key = System.getenv(apiKey.env);
      if (key == null || key.isBlank()) {
        throw new UsageException(
            "--api-key-env: environment variable " + apiKey.env + " is not set");
      }
    } else {
      try {
        List<String> lines = Files.readAllLines(apiKey.file, StandardCharsets.UTF_8);
        key = lines.isEmpty() ? "" : lines.get(0);
      } catch (IOException e) {
        throw new UsageException(
            "--api-key-file: cannot read " + apiKey.file + ": " + e.getMessage());
      }
      if (key.isBlank()) {
        throw new UsageException("--api-key-file: " + apiKey.file + " is empty");
      }
    }
    return key.strip();
  }

  private Map<String, String> modelSpecs() {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> given = models.isEmpty() ? List.of(ModelOptions.DEFAULT_MODEL) : models;
    for (String m : given) {
      int eq = m.indexOf('=');
      String name = eq > 0 ? m.substring(0, eq).strip() : m.strip();
      String model = eq > 0 ? m.substring(eq + 1).strip() : m.strip();
      if (name.isEmpty() || model.isEmpty()) {
        throw new UsageException("--model " + m + ": expected MODEL or NAME=MODEL");
      }
      if (out.putIfAbsent(name, model) != null) {
        throw new UsageException("--model: the name " + name + " is given twice");
      }
    }
    return out;
  }

  private static Map<String, String> pairs(List<String> values, String option, String form) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq <= 0 || eq == v.length() - 1) {
        throw new UsageException(option + " " + v + ": expected " + form);
      }
      String name = v.substring(0, eq).strip();
      if (out.putIfAbsent(name, v.substring(eq + 1).strip()) != null) {
        throw new UsageException(option + ": the name " + name + " is given twice");
      }
    }
    return out;
  }

  private static void positive(String option, long value) {
    if (value < 1) {
      throw new UsageException(option + " must be positive, got " + value);
    }
  }
}
