package io.jembed.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jembed.EmbeddingModel;
import io.jembed.InputType;
import io.jembed.ModelInfo;
import io.jembed.index.SearchHit;
import io.jembed.index.VectorStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jembed serve}: an HTTP server for embeddings, speaking OpenAI's {@code POST
 * /v1/embeddings}, text-embeddings-inference's {@code POST /embed} and {@code /similarity}, plus
 * {@code POST /search} over jembed indexes, {@code GET /health}, {@code /info} and {@code
 * /metrics}.
 *
 * <p>Concurrent requests to one model are merged by a {@link Batcher}. At most {@link
 * ServerOptions#maxConcurrentRequests()} requests encode or search at once; more get 429 at once,
 * so no queue grows without bound. {@link #close()} lets requests in flight finish.
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
  // trailing garbage after the JSON object is an error, not silently ignored
  private static final ObjectMapper JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final JsonFactory JSON_FACTORY = JSON.getFactory();

  private final ServerOptions options;
  private final Map<String, Batcher> models;
  private final Map<String, String> aliases;
  private final String defaultModel;
  private final Map<String, VectorStore> indexes;
  private final Metrics metrics = new Metrics();
  private final Auth auth;
  private final Semaphore admission;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicInteger activeHandlers = new AtomicInteger();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final ExecutorService executor;
  private final HttpServer http;
  private final String version;

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
    metrics.gauge(
        "jembed_requests_in_flight",
        () -> options.maxConcurrentRequests() - admission.availablePermits());
    Map<String, Batcher> batchers = new LinkedHashMap<>();
    Map<String, String> alias = new LinkedHashMap<>();
    b.models.forEach(
        (name, model) -> {
          batchers.put(
              name,
              new Batcher(name, model, options.maxBatchTokens(), options.maxBatchWait(), metrics));
          alias.put(name, name);
        });
    // a model can also be asked for by its id ("sentence-transformers/all-MiniLM-L6-v2")
    b.models.forEach((name, model) -> alias.putIfAbsent(model.info().id(), name));
    this.models = batchers;
    this.aliases = alias;
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    try {
      this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
    } catch (IOException e) {
      batchers.values().forEach(Batcher::close);
      executor.close();
      throw new UncheckedIOException(
          "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
    http.setExecutor(executor);
    http.createContext("/", this::handle);
    http.start();
    LOG.log(System.Logger.Level.INFO, "jembed server listening on {0}", uri());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:8080}; OpenAI clients use {@code uri() + "/v1"}. */
  public URI uri() {
    InetSocketAddress a = http.getAddress();
    String host = a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort());
  }

  public int port() {
    return http.getAddress().getPort();
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

  /** Requests encoding or searching right now. */
  int requestsInFlight() {
    return options.maxConcurrentRequests() - admission.availablePermits();
  }

  /** Blocks until {@link #close()} has finished (from another thread or a shutdown hook). */
  public void awaitShutdown() {
    closed.join();
  }

  /**
   * Graceful shutdown: new requests get 503 while the requests in flight finish (up to {@link
   * ServerOptions#shutdownGrace()}); then the port and every connection close and the batchers
   * stop. Models and indexes stay open.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      closed.join();
      return;
    }
    try {
      // New requests now get 503 (and /health says so); wait for the handlers already running.
      // Our own count, not HttpServer.stop's: the JDK server never counts an exchange as finished
      // when its client vanished mid-request, and would hold shutdown for the whole grace period.
      long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
      awaitZero(this::requestsInFlight, deadline);
      // then a moment for quick ones (GET /metrics, 503s) still writing their answers; not the
      // whole grace, which clients hammering the port with requests could stretch forever
      awaitZero(activeHandlers::get, Math.min(deadline, System.nanoTime() + 1_000_000_000L));
      http.stop(0); // closes the listener and every connection
      models.values().forEach(Batcher::close);
      executor.shutdown();
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

  // ---------------------------------------------------------------- HTTP plumbing

  private void handle(HttpExchange ex) {
    activeHandlers.incrementAndGet();
    try {
      handleCounted(ex);
    } finally {
      activeHandlers.decrementAndGet();
    }
  }

  private void handleCounted(HttpExchange ex) {
    long start = System.nanoTime();
    String path = ex.getRequestURI().getPath();
    String endpoint = endpointName(path);
    int status = 500;
    try {
      Response response = route(ex, path);
      status = response.status;
      send(ex, response);
    } catch (ApiException e) {
      status = e.status();
      metrics.error(e.kind());
      trySend(ex, error(e));
    } catch (ClientGone e) {
      status = 499; // nginx's "client closed request"
      metrics.error("client_disconnect");
      // answer anyway, in case the client only half-closed
      trySend(ex, error(new ApiException(400, "client_disconnect", "incomplete request")));
    } catch (RuntimeException | Error e) {
      status = 500;
      metrics.error("internal");
      LOG.log(System.Logger.Level.ERROR, "request to " + path + " failed", e);
      trySend(ex, error(new ApiException(500, "internal", "internal error: " + oneLine(e))));
    } finally {
      ex.close();
      metrics.request(endpoint, status);
      metrics.latency("request", "endpoint=\"" + endpoint + "\"", System.nanoTime() - start);
    }
  }

  private static String endpointName(String path) {
    return switch (path) {
      case "/v1/embeddings", "/embeddings" -> "/v1/embeddings";
      case "/embed", "/similarity", "/search", "/health", "/info", "/metrics", "/v1/models" -> path;
      default -> "other";
    };
  }

  private Response route(HttpExchange ex, String path) {
    String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
    boolean post;
    switch (endpointName(path)) {
      case "/v1/embeddings", "/embed", "/similarity", "/search" -> post = true;
      case "/health", "/info", "/metrics", "/v1/models" -> post = false;
      default -> throw ApiException.notFound("no endpoint " + path);
    }
    if (!(post ? method.equals("POST") : method.equals("GET") || method.equals("HEAD"))) {
      ex.getResponseHeaders().set("Allow", post ? "POST" : "GET");
      throw new ApiException(
          405,
          "method_not_allowed",
          path + " takes " + (post ? "POST" : "GET") + ", not " + method);
    }
    if (path.equals("/health")) {
      return health(); // open for load balancers and probes
    }
    if (!auth.accepts(ex.getRequestHeaders().getFirst("Authorization"))) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      throw new ApiException(
          401, "unauthorized", "missing or wrong API key (Authorization: Bearer KEY)");
    }
    if (!post) {
      return switch (path) {
        case "/info" -> json(200, info());
        case "/metrics" ->
            new Response(
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                metrics.render().getBytes(StandardCharsets.UTF_8),
                Map.of());
        default -> json(200, modelList());
      };
    }
    if (closing.get()) {
      throw new ApiException(503, "shutting_down", "the server is shutting down");
    }
    if (!admission.tryAcquire()) {
      ex.getResponseHeaders().set("Retry-After", "1");
      throw new ApiException(
          429,
          "queue_full",
          "too many requests in flight (limit "
              + options.maxConcurrentRequests()
              + "); retry later");
    }
    try {
      JsonNode body = readJson(ex);
      return switch (endpointName(path)) {
        case "/v1/embeddings" -> openAiEmbeddings(body);
        case "/embed" -> embed(body);
        case "/similarity" -> similarity(body);
        default -> search(body);
      };
    } finally {
      admission.release();
    }
  }

  private JsonNode readJson(HttpExchange ex) {
    long max = options.maxBodyBytes();
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long length;
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        throw new ApiException(400, "malformed_request", "bad Content-Length: " + declared);
      }
      if (length > max) {
        ex.getResponseHeaders().set("Connection", "close");
        throw tooLarge(max);
      }
    }
    byte[] bytes;
    try (InputStream in = ex.getRequestBody()) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    } catch (IOException e) {
      throw new ClientGone();
    }
    if (bytes.length > max) {
      ex.getResponseHeaders().set("Connection", "close");
      throw tooLarge(max);
    }
    if (bytes.length == 0) {
      throw new ApiException(
          400, "malformed_json", "the request body is empty: send a JSON object");
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "malformed_json", "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ApiException(400, "malformed_json", "malformed JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.invalid("the request body must be a JSON object");
    }
    return node;
  }

  private static ApiException tooLarge(long max) {
    return new ApiException(
        413, "payload_too_large", "the request body is larger than the limit of " + max + " bytes");
  }

  private void send(HttpExchange ex, Response r) {
    try {
      ex.getResponseHeaders().set("Content-Type", r.contentType);
      r.headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      boolean head = ex.getRequestMethod().equalsIgnoreCase("HEAD");
      ex.sendResponseHeaders(r.status, head || r.body.length == 0 ? -1 : r.body.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(r.body);
        }
      }
    } catch (IOException e) {
      throw new ClientGone();
    }
  }

  private void trySend(HttpExchange ex, Response r) {
    try {
      send(ex, r);
    } catch (ClientGone | IllegalStateException e) {
      // the client left, or headers were already sent: nothing more to say
    }
  }

  private static Response error(ApiException e) {
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("message", e.getMessage());
    err.put("type", e.kind());
    err.put("code", e.status());
    return json(e.status(), Map.of("error", err));
  }

  private static Response json(int status, Object value) {
    try {
      return new Response(status, "application/json", JSON.writeValueAsBytes(value), Map.of());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Response(
      int status, String contentType, byte[] body, Map<String, String> headers) {}

  /** The client closed the connection; nobody is left to answer. */
  private static final class ClientGone extends RuntimeException {
    ClientGone() {
      super(null, null, false, false);
    }
  }

  // ---------------------------------------------------------------- endpoints

  private Response health() {
    if (closing.get()) {
      return json(503, Map.of("status", "shutting_down"));
    }
    return json(200, Map.of("status", "ok"));
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

  /** OpenAI's embeddings API. */
  private Response openAiEmbeddings(JsonNode body) {
    Batcher batcher = model(body);
    List<String> texts = inputs(body, "input");
    String format = optionalString(body, "encoding_format");
    if (format == null) {
      format = "float";
    }
    if (!format.equals("float") && !format.equals("base64")) {
      throw ApiException.invalid(
          "encoding_format must be \"float\" or \"base64\", got \"" + format + "\"");
    }
    Integer dimensions = dimensions(body, batcher);
    Batcher.Result result =
        encode(
            batcher,
            texts,
            options.truncate(),
            new Batcher.Key(null, dimensions, InputType.NONE, null));
    ByteArrayOutputStream buf = new ByteArrayOutputStream(256 + texts.size() * 4096);
    try (JsonGenerator g = JSON_FACTORY.createGenerator(buf)) {
      g.writeStartObject();
      g.writeStringField("object", "list");
      g.writeArrayFieldStart("data");
      for (int i = 0; i < texts.size(); i++) {
        g.writeStartObject();
        g.writeStringField("object", "embedding");
        g.writeNumberField("index", i);
        g.writeFieldName("embedding");
        float[] v = result.vectors()[i];
        if (format.equals("base64")) {
          ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          bb.asFloatBuffer().put(v);
          g.writeString(Base64.getEncoder().encodeToString(bb.array()));
        } else {
          writeFloats(g, v);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("model", batcher.name());
      g.writeObjectFieldStart("usage");
      g.writeNumberField("prompt_tokens", result.totalTokens());
      g.writeNumberField("total_tokens", result.totalTokens());
      g.writeEndObject();
      g.writeNumberField("truncated_inputs", result.truncatedCount());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Response(200, "application/json", buf.toByteArray(), truncatedHeader(result));
  }

  /** text-embeddings-inference's /embed: a bare array of vectors. */
  private Response embed(JsonNode body) {
    Batcher batcher = model(body);
    List<String> texts = inputs(body, "inputs");
    boolean normalize = optionalBoolean(body, "normalize", true);
    boolean truncate = optionalBoolean(body, "truncate", options.truncate());
    String promptName = optionalString(body, "prompt_name");
    if (promptName != null && !batcher.model().info().prompts().containsKey(promptName)) {
      throw ApiException.invalid(
          "prompt_name \""
              + promptName
              + "\" is not a prompt of "
              + batcher.name()
              + "; it has "
              + batcher.model().info().prompts().keySet());
    }
    Integer dimensions = dimensions(body, batcher);
    // the model's own normalization needs no separate batch
    Boolean norm = normalize == batcher.model().info().normalized() ? null : normalize;
    Batcher.Result result =
        encode(
            batcher,
            texts,
            truncate,
            new Batcher.Key(norm, dimensions, InputType.NONE, promptName));
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64 + texts.size() * 4096);
    try (JsonGenerator g = JSON_FACTORY.createGenerator(buf)) {
      g.writeStartArray();
      for (float[] v : result.vectors()) {
        writeFloats(g, v);
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Response(200, "application/json", buf.toByteArray(), truncatedHeader(result));
  }

  /** text-embeddings-inference's /similarity: scores of one sentence against others. */
  private Response similarity(JsonNode body) {
    Batcher batcher = model(body);
    JsonNode in = body.get("inputs");
    if (in == null || !in.isObject()) {
      throw ApiException.invalid(
          "inputs must be an object {\"source_sentence\": \"...\", \"sentences\": [\"...\"]}");
    }
    JsonNode source = in.get("source_sentence");
    if (source == null || !source.isTextual()) {
      throw ApiException.invalid("inputs.source_sentence must be a string");
    }
    List<String> sentences = stringList(in.get("sentences"), "inputs.sentences");
    List<String> all = new ArrayList<>(sentences.size() + 1);
    all.add(source.asText());
    all.addAll(sentences);
    if (all.size() > options.maxClientBatchSize()) {
      throw tooMany(all.size());
    }
    Batcher.Result result =
        encode(
            batcher,
            all,
            optionalBoolean(body, "truncate", options.truncate()),
            Batcher.Key.DEFAULT);
    float[][] v = result.vectors();
    List<Float> scores = new ArrayList<>(sentences.size());
    for (int i = 1; i < v.length; i++) {
      scores.add(batcher.model().similarityFunction().score(v[0], v[i]));
    }
    Response r = json(200, scores);
    return new Response(200, r.contentType, r.body, truncatedHeader(result));
  }

  /** Semantic, keyword or hybrid search over a named index. */
  private Response search(JsonNode body) {
    String name = optionalString(body, "index");
    if (name == null) {
      if (indexes.size() != 1) {
        throw ApiException.invalid(
            "name the index to search (\"index\"); served: " + indexes.keySet());
      }
      name = indexes.keySet().iterator().next();
    }
    VectorStore store = indexes.get(name);
    if (store == null) {
      throw ApiException.notFound("no index named '" + name + "'; served: " + indexes.keySet());
    }
    JsonNode q = body.get("query");
    if (q == null || !q.isTextual() || q.asText().isBlank()) {
      throw ApiException.invalid("query must be a non-empty string");
    }
    int k = 10;
    JsonNode kNode = body.get("k");
    if (kNode != null && !kNode.isNull()) {
      if (!kNode.canConvertToInt()
          || !kNode.isIntegralNumber()
          || kNode.asInt() < 1
          || kNode.asInt() > 10_000) {
        throw ApiException.invalid("k must be an integer in 1..10000, got " + kNode);
      }
      k = kNode.asInt();
    }
    SearchQueries.Query query;
    try {
      query = SearchQueries.parse(q.asText(), k, optionalString(body, "mode"), body.get("filters"));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(e.getMessage());
    }
    float[] vector = null;
    Batcher batcher = batcherFor(store.model());
    if (query.needsVector() && batcher != null) {
      // the query joins the dynamic batches, with the model's query prompt
      vector =
          encode(
                  batcher,
                  List.of(q.asText()),
                  true,
                  new Batcher.Key(null, null, InputType.QUERY, null))
              .vectors()[0];
    }
    List<SearchHit> hits;
    try {
      hits = store.search(query.toRequest(vector));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(e.getMessage());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("index", name);
    out.put("mode", query.mode());
    List<Map<String, Object>> list = new ArrayList<>(hits.size());
    for (SearchHit h : hits) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", h.id());
      e.put("score", h.score());
      e.put("text", h.text());
      e.put("chunk", h.chunk());
      e.put("start", h.start());
      e.put("end", h.end());
      e.put("metadata", h.metadata());
      list.add(e);
    }
    out.put("hits", list);
    return json(200, out);
  }

  private Batcher batcherFor(ModelInfo indexModel) {
    for (Batcher b : models.values()) {
      if (b.model().info().identity().equals(indexModel.identity())) {
        return b;
      }
    }
    return null; // the store embeds the query with its own model
  }

  // ---------------------------------------------------------------- request parsing

  private Batcher model(JsonNode body) {
    JsonNode m = body.get("model");
    if (m == null || m.isNull() || (m.isTextual() && m.asText().isEmpty())) {
      return models.get(defaultModel);
    }
    if (!m.isTextual()) {
      throw ApiException.invalid(
          "model must be a string, got " + m.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    String name = aliases.get(m.asText());
    if (name == null) {
      throw ApiException.notFound(
          "model '" + m.asText() + "' is not served; served: " + models.keySet());
    }
    return models.get(name);
  }

  private List<String> inputs(JsonNode body, String field) {
    JsonNode in = body.get(field);
    if (in == null || in.isNull()) {
      throw ApiException.invalid(field + " is missing: send a string or an array of strings");
    }
    if (in.isTextual()) {
      return List.of(in.asText());
    }
    List<String> texts = stringList(in, field);
    if (texts.size() > options.maxClientBatchSize()) {
      throw tooMany(texts.size());
    }
    return texts;
  }

  private ApiException tooMany(int n) {
    return ApiException.invalid(
        "too many inputs: " + n + ", at most " + options.maxClientBatchSize() + " per request");
  }

  private static List<String> stringList(JsonNode node, String field) {
    if (node == null || !node.isArray()) {
      throw ApiException.invalid(
          field + " must be a string or an array of strings, got " + kind(node));
    }
    if (node.isEmpty()) {
      throw ApiException.invalid(field + " must not be an empty array");
    }
    List<String> texts = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode t = node.get(i);
      if (!t.isTextual()) {
        String hint = t.isNumber() || t.isArray() ? " (token ids are not accepted: send text)" : "";
        throw ApiException.invalid(field + "[" + i + "] must be a string, got " + kind(t) + hint);
      }
      texts.add(t.asText());
    }
    return texts;
  }

  private static String kind(JsonNode node) {
    return node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String optionalString(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiException.invalid(field + " must be a string, got " + kind(n));
    }
    return n.asText();
  }

  private static boolean optionalBoolean(JsonNode body, String field, boolean fallback) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw ApiException.invalid(field + " must be true or false, got " + kind(n));
    }
    return n.asBoolean();
  }

  private static Integer dimensions(JsonNode body, Batcher batcher) {
    JsonNode n = body.get("dimensions");
    if (n == null || n.isNull()) {
      return null;
    }
    int max = batcher.model().dimension();
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > max) {
      throw ApiException.invalid(
          "dimensions must be an integer in 1.." + max + " for " + batcher.name() + ", got " + n);
    }
    return n.asInt() == max ? null : n.asInt();
  }

  /**
   * Counts tokens (on the request's own thread), applies the truncation rule, waits for vectors.
   */
  private Batcher.Result encode(
      Batcher batcher, List<String> texts, boolean truncate, Batcher.Key key) {
    EmbeddingModel model = batcher.model();
    int max = model.maxSeqLength();
    int[] counts = new int[texts.size()];
    for (int i = 0; i < counts.length; i++) {
      int n = model.countTokens(texts.get(i));
      if (!truncate && max > 0 && n > max) {
        throw ApiException.invalid(
            "input "
                + i
                + " has "
                + n
                + " tokens, more than the "
                + max
                + " of "
                + batcher.name()
                + "; shorten it or send truncate=true");
      }
      counts[i] = max > 0 ? Math.min(n, max) : n;
    }
    CompletableFuture<Batcher.Result> future = batcher.submit(texts, counts, key);
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "shutting_down", "interrupted while encoding");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException) {
        throw ApiException.invalid(oneLine(cause));
      }
      throw new ApiException(500, "model_error", "encoding failed: " + oneLine(cause));
    }
  }

  private static void writeFloats(JsonGenerator g, float[] v) throws IOException {
    g.writeStartArray(v, v.length);
    for (float x : v) {
      g.writeNumber(x);
    }
    g.writeEndArray();
  }

  private static Map<String, String> truncatedHeader(Batcher.Result r) {
    return Map.of("X-Truncated-Inputs", Integer.toString(r.truncatedCount()));
  }

  private static String oneLine(Throwable e) {
    String msg = e.getMessage();
    if (msg == null || msg.isBlank()) {
      msg = e.getClass().getSimpleName();
    }
    return msg.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  /** Models and indexes to serve, and the limits. */
  public static final class Builder {
    private final Map<String, EmbeddingModel> models = new LinkedHashMap<>();
    private final Map<String, VectorStore> indexes = new LinkedHashMap<>();
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
