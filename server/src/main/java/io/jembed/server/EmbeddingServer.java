package io.jembed.server;

import io.jembed.EmbeddingModel;
import io.jembed.ModelInfo;
import io.jembed.index.IndexStats;
import io.jembed.index.VectorStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jembed serve}: an HTTP server for embeddings, speaking OpenAI's {@code POST
 * /v1/embeddings}, text-embeddings-inference's {@code POST /embed} and {@code /similarity}, plus
 * {@code POST /search} over jembed indexes, {@code GET /health}, {@code /info} and {@code
 * /metrics}.
 *
 * <p>Concurrent requests to one model are merged by a {@link Batcher}, which admits them by tokens
 * and refuses at once (429 with Retry-After) what would wait too long; every request has a
 * deadline, and one whose client hangs up is dropped before it is encoded. {@link #close()} stops
 * accepting, lets requests in flight finish within the shutdown grace, then drops the rest.
 *
 * <p>The server borrows the models and indexes it serves: the caller closes them after the server.
 *
 * <pre>{@code
 * try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2");
 *     EmbeddingServer server = EmbeddingServer.builder().model("all-MiniLM-L6-v2", model).start()) {
 *   System.out.println(server.uri());
 *   server.awaitShutdown();
 * }
 * }</pre>
 */
public final class EmbeddingServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EmbeddingServer.class.getName());

  /** How long after the grace a shutdown may take: the model call running then ends. */
  private static final long SHUTDOWN_SLACK_NANOS = 1_500_000_000L;

  private final ServerOptions options;
  private final Map<String, Batcher> models;
  private final String defaultModel;
  private final Map<String, VectorStore> indexes;
  private final Metrics metrics = new Metrics();
  private final Auth auth;
  private final Semaphore admission;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicInteger activeHandlers = new AtomicInteger();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Router router;
  private final HttpTransport http;
  private final String version;
  private final List<ServerExtension> extensions;

  private EmbeddingServer(Builder b) {
    if (b.models.isEmpty()) {
      throw new IllegalArgumentException("serve at least one model");
    }
    this.options = b.options;
    this.auth = new Auth(options.apiKey());
    this.admission = new Semaphore(options.maxConcurrentRequests());
    this.defaultModel =
        b.defaultModel == null ? b.models.keySet().iterator().next() : b.defaultModel;
    if (!b.models.containsKey(defaultModel)) {
      throw new IllegalArgumentException("default model '" + defaultModel + "' is not served");
    }
    this.indexes = Map.copyOf(b.indexes);
    String v = EmbeddingServer.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
    metrics.gauge("jembed_requests_in_flight", this::requestsInFlight);
    Batcher.Limits limits =
        new Batcher.Limits(
            options.maxBatchTokens(),
            options.maxQueueTokens(),
            options.maxQueueWait(),
            options.maxBatchWait());
    Map<String, Batcher> batchers = new LinkedHashMap<>();
    Map<String, String> aliases = new LinkedHashMap<>();
    b.models.forEach(
        (name, model) -> {
          batchers.put(name, new Batcher(name, model, limits, metrics));
          aliases.put(name, name);
        });
    // a model can also be asked for by its id ("sentence-transformers/all-MiniLM-L6-v2")
    b.models.forEach((name, model) -> aliases.putIfAbsent(model.info().id(), name));
    this.models = batchers;
    EmbeddingEndpoints endpoints =
        new EmbeddingEndpoints(
            options, batchers, aliases, defaultModel, indexes, Map.copyOf(b.indexModels));
    this.router = routes(endpoints);
    ServerContext context =
        new ServerContext(
            this,
            endpoints,
            router,
            indexes,
            this::admitted,
            this::encoding,
            this::refuseUnlessAdmittable);
    this.extensions = b.extensions();
    try {
      for (ServerExtension extension : extensions) {
        extension.install(context);
      }
      this.http = new HttpTransport(options, metrics, this::screen, this::handle);
    } catch (RuntimeException e) {
      batchers.values().forEach(Batcher::close);
      extensions.forEach(ServerExtension::close);
      throw e;
    }
    LOG.log(System.Logger.Level.INFO, "jembed server listening on {0}", uri());
  }

  /** The routing table; a new endpoint is one more line here (or a {@link ServerExtension}). */
  private Router routes(EmbeddingEndpoints endpoints) {
    Router.Access key = Router.Access.API_KEY;
    return new Router(auth)
        .post("/v1/embeddings", key, encoding(endpoints::openAiEmbeddings), "/embeddings")
        .screen(this::refuseUnlessAdmittable)
        .post("/embed", key, encoding(endpoints::embed))
        .screen(this::refuseUnlessAdmittable)
        .post("/similarity", key, encoding(endpoints::similarity))
        .screen(this::refuseUnlessAdmittable)
        .post("/search", key, admitted(endpoints::search))
        .get("/health", Router.Access.OPEN, request -> health()) // for load balancers and probes
        .get("/info", key, request -> ApiResponse.json(200, info()))
        .get("/v1/models", key, request -> ApiResponse.json(200, modelList()))
        .get(
            "/metrics",
            key,
            request ->
                ApiResponse.text(
                    200, "text/plain; version=0.0.4; charset=utf-8", metrics.render()));
  }

  /**
   * An endpoint that encodes: as {@link #admitted}, and refused with 429 before its body is parsed
   * when no model could take one more input now.
   */
  private Router.Endpoint encoding(Router.Endpoint endpoint) {
    Router.Endpoint inner = admitted(endpoint);
    return request -> {
      refuseIfEveryModelIsBusy();
      return inner.handle(request);
    };
  }

  /**
   * An endpoint that encodes or searches: refused with 503 while shutting down and with 429 when
   * {@link ServerOptions#maxConcurrentRequests()} requests are in flight.
   */
  private Router.Endpoint admitted(Router.Endpoint endpoint) {
    return request -> {
      refuseIfClosing();
      if (!admission.tryAcquire()) {
        throw tooManyInFlight();
      }
      try {
        return endpoint.handle(request);
      } finally {
        admission.release();
      }
    };
  }

  /**
   * The screen of the encoding endpoints, on a request's head: refuses it at once (429, or 503
   * while shutting down) when it could not be admitted anyway, so an overloaded server does not
   * read and parse megabytes it will refuse.
   */
  private void refuseUnlessAdmittable(ApiRequest head) {
    refuseIfClosing();
    if (admission.availablePermits() == 0) {
      throw tooManyInFlight();
    }
    refuseIfEveryModelIsBusy();
  }

  private void refuseIfClosing() {
    if (closing.get()) {
      throw ApiException.shuttingDown();
    }
  }

  private ApiException tooManyInFlight() {
    return ApiException.overloaded(
        "too many requests in flight (limit " + options.maxConcurrentRequests() + "); retry later",
        1);
  }

  private void refuseIfEveryModelIsBusy() {
    ApiException busy = null;
    for (Batcher batcher : models.values()) {
      try {
        batcher.precheck(1);
        return;
      } catch (ApiException e) {
        busy = e;
      }
    }
    throw busy;
  }

  /** A request's head before its body is read: its refusal, or null to read it whole. */
  private ApiResponse screen(ApiRequest head) {
    try {
      router.screen(head);
      return null;
    } catch (ApiException e) {
      metrics.error(e.kind());
      metrics.request(router.metricName(head.path()), e.status());
      return ApiResponse.error(e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:8080}; OpenAI clients use {@code uri() + "/v1"}. */
  public URI uri() {
    InetSocketAddress a = http.address();
    String host = a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort());
  }

  public int port() {
    return http.address().getPort();
  }

  public ServerOptions options() {
    return options;
  }

  /** Names of the served models; the first is the default unless another was chosen. */
  public List<String> modelNames() {
    return List.copyOf(models.keySet());
  }

  public String defaultModel() {
    return defaultModel;
  }

  /** The implementation version, or "dev" when run from classes. */
  String version() {
    return version;
  }

  /** Requests admitted and not yet answered (queued, encoding or searching). */
  int requestsInFlight() {
    return options.maxConcurrentRequests() - admission.availablePermits();
  }

  /** Blocks until {@link #close()} has finished (from another thread or a shutdown hook). */
  public void awaitShutdown() {
    closed.join();
  }

  /**
   * Graceful shutdown: the port stops accepting and new requests get 503; requests in flight finish
   * within {@link ServerOptions#shutdownGrace()}, then what is still queued is dropped (answered
   * 503) and every connection closes. Returns within the grace plus about 1.5 s (the model call
   * running at the end of the grace). Models and indexes stay open.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      closed.join();
      return;
    }
    try {
      long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
      http.stopAccepting();
      awaitZero(this::requestsInFlight, deadline);
      // past the grace: drop what is queued; the model call running now is the last
      for (Batcher batcher : models.values()) {
        batcher.close(System.nanoTime());
      }
      long end = Math.min(deadline, System.nanoTime()) + SHUTDOWN_SLACK_NANOS;
      // the dropped requests answer 503 and quick ones (GET /metrics) finish writing
      awaitZero(activeHandlers::get, Math.min(end, System.nanoTime() + 1_000_000_000L));
      http.close();
      for (Batcher batcher : models.values()) {
        batcher.awaitStopped(end);
      }
      for (ServerExtension extension : extensions) {
        try {
          extension.close();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "closing an extension failed", e);
        }
      }
    } finally {
      closed.complete(null);
    }
  }

  private static void awaitZero(java.util.function.IntSupplier count, long deadlineNanos) {
    while (count.getAsInt() > 0 && System.nanoTime() < deadlineNanos) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // ---------------------------------------------------------------- one request

  /** Routes a request and turns every failure into its JSON answer; never throws. */
  private ApiResponse handle(ApiRequest request) {
    activeHandlers.incrementAndGet();
    long start = System.nanoTime();
    String endpoint = router.metricName(request.path());
    ApiResponse response;
    try {
      response = router.handle(request);
    } catch (ApiException e) {
      metrics.error(e.kind());
      response = ApiResponse.error(e);
    } catch (RuntimeException | Error e) {
      metrics.error("internal");
      LOG.log(System.Logger.Level.ERROR, "request to " + request.path() + " failed", e);
      response =
          ApiResponse.error(
              new ApiException(
                  500, "internal", "internal error: " + EmbeddingEndpoints.oneLine(e)));
    } finally {
      activeHandlers.decrementAndGet();
    }
    metrics.request(endpoint, response.status());
    metrics.latency("request", "endpoint=\"" + endpoint + "\"", System.nanoTime() - start);
    return response;
  }

  private ApiResponse health() {
    if (closing.get()) {
      return ApiResponse.json(503, Map.of("status", "shutting_down"));
    }
    return ApiResponse.json(200, Map.of("status", "ok"));
  }

  private Map<String, Object> info() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", "jembed");
    out.put("version", version);
    out.put("default_model", defaultModel);
    List<Map<String, Object>> list = new ArrayList<>();
    models.forEach(
        (name, batcher) -> {
          ModelInfo m = batcher.model().info();
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("name", name);
          e.put("id", m.id());
          e.put("provider", m.provider());
          e.put("revision", m.revision());
          e.put("dimension", m.dimension());
          e.put("max_seq_length", m.maxSeqLength());
          e.put("normalized", m.normalized());
          e.put("similarity", m.similarity().name().toLowerCase(Locale.ROOT));
          e.put("prompts", m.prompts());
          e.put("default", name.equals(defaultModel));
          list.add(e);
        });
    out.put("models", list);
    List<Map<String, Object>> idx = new ArrayList<>();
    indexes.forEach(
        (name, store) -> {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("name", name);
          e.put("model", store.model().id());
          e.put("dimension", store.model().dimension());
          IndexStats stats = store.stats();
          e.put("documents", stats.documents());
          e.put("chunks", stats.chunks());
          idx.add(e);
        });
    out.put("indexes", idx);
    Map<String, Object> limits = new LinkedHashMap<>();
    limits.put("max_batch_tokens", options.maxBatchTokens());
    limits.put("max_concurrent_requests", options.maxConcurrentRequests());
    limits.put("max_client_batch_size", options.maxClientBatchSize());
    limits.put("max_body_bytes", options.maxBodyBytes());
    limits.put("truncate", options.truncate());
    limits.put("max_batch_wait_ms", options.maxBatchWait().toMillis());
    limits.put("max_queue_tokens", options.maxQueueTokens());
    limits.put("max_queue_wait_ms", options.maxQueueWait().toMillis());
    limits.put("request_timeout_ms", options.requestTimeout().toMillis());
    limits.put("read_timeout_ms", options.readTimeout().toMillis());
    out.put("limits", limits);
    out.put("auth", auth.enabled());
    return out;
  }

  private Map<String, Object> modelList() {
    List<Map<String, Object>> data = new ArrayList<>();
    for (String name : models.keySet()) {
      data.add(Map.of("id", name, "object", "model", "created", 0, "owned_by", "jembed"));
    }
    return Map.of("object", "list", "data", data);
  }

  /** Models and indexes to serve, and the limits. */
  public static final class Builder {
    private final Map<String, EmbeddingModel> models = new LinkedHashMap<>();
    private final Map<String, VectorStore> indexes = new LinkedHashMap<>();
    private final Map<String, EmbeddingModel> indexModels = new LinkedHashMap<>();
    private final List<ServerExtension> extensions = new ArrayList<>();
    private boolean discoverExtensions = true;
    private String defaultModel;
    private ServerOptions options = ServerOptions.defaults();

    private Builder() {}

    /** Serves a model under a name clients put in the request's {@code model} field. */
    public Builder model(String name, EmbeddingModel model) {
      Objects.requireNonNull(model, "model");
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a served model needs a name");
      }
      if (models.putIfAbsent(name, model) != null) {
        throw new IllegalArgumentException("model name '" + name + "' is served twice");
      }
      return this;
    }

    /** The model used when a request names none (default: the first one added). */
    public Builder defaultModel(String name) {
      this.defaultModel = name;
      return this;
    }

    /** Serves an index for {@code POST /search} under a name. */
    public Builder index(String name, VectorStore store) {
      Objects.requireNonNull(store, "store");
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a served index needs a name");
      }
      if (indexes.putIfAbsent(name, store) != null) {
        throw new IllegalArgumentException("index name '" + name + "' is served twice");
      }
      return this;
    }

    /**
     * Serves an index with the model that embeds its queries, for when that model is not served
     * itself (endpoints that encode with the index's model, such as an extension's, use it).
     */
    public Builder index(String name, VectorStore store, EmbeddingModel queryModel) {
      index(name, store);
      indexModels.put(name, Objects.requireNonNull(queryModel, "queryModel"));
      return this;
    }

    /** Adds an extension's endpoints (besides those found on the class path). */
    public Builder extension(ServerExtension extension) {
      extensions.add(Objects.requireNonNull(extension, "extension"));
      return this;
    }

    /** Whether extensions on the class path are installed (default: true). */
    public Builder discoverExtensions(boolean discover) {
      this.discoverExtensions = discover;
      return this;
    }

    private List<ServerExtension> extensions() {
      List<ServerExtension> all = new ArrayList<>(extensions);
      if (discoverExtensions) {
        for (ServerExtension found : java.util.ServiceLoader.load(ServerExtension.class)) {
          if (all.stream().noneMatch(e -> e.getClass() == found.getClass())) {
            all.add(found);
          }
        }
      }
      return all;
    }

    public Builder options(ServerOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Binds the port and starts serving. */
    public EmbeddingServer start() {
      return new EmbeddingServer(this);
    }
  }
}
