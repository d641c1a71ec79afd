package io.jembed.hosted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for one provider's embedding endpoint on 127.0.0.1: checks requests against the
 * documented shape and limits, answers with the documented response and error bodies, and can be
 * scripted to fail (status codes, Retry-After, malformed JSON, slowness, wrong vector counts).
 */
final class FakeEmbeddingServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The provider shapes the fake speaks. */
  enum Dialect {
    OPENAI("/v1/embeddings", 2048, 300_000),
    VOYAGE("/v1/embeddings", 1000, 320_000),
    COHERE("/v2/embed", 96, Long.MAX_VALUE),
    OLLAMA("/api/embed", Integer.MAX_VALUE, Long.MAX_VALUE);

    final String path;
    final int maxInputs;
    final long maxTokens;

    Dialect(String path, int maxInputs, long maxTokens) {
      this.path = path;
      this.maxInputs = maxInputs;
      this.maxTokens = maxTokens;
    }
  }

  /** One request as received. */
  record Received(String method, String path, Map<String, String> headers, JsonNode body) {
    List<String> inputs() {
      JsonNode in = body.has("texts") ? body.get("texts") : body.get("input");
      List<String> out = new ArrayList<>();
      in.forEach(n -> out.add(n.asText()));
      return out;
    }
  }

  /** A scripted answer; {@code normal} answers as the API would. */
  record Reply(
      int status, Map<String, String> headers, String body, long delayMs, boolean dropLast) {
    static Reply normal() {
      return new Reply(0, Map.of(), null, 0, false);
    }

    static Reply status(int status, String body, Map<String, String> headers) {
      return new Reply(status, headers, body, 0, false);
    }

    static Reply malformed() {
      return new Reply(200, Map.of(), "{\"data\": [{\"embedding\": [0.1, 0.2", 0, false);
    }

    static Reply slow(long delayMs) {
      return new Reply(0, Map.of(), null, delayMs, false);
    }

    static Reply oneVectorShort() {
      return new Reply(0, Map.of(), null, 0, true);
    }
  }

  private final Dialect dialect;
  private final int nativeDimension;
  private final String expectedKey;
  private final HttpServer server;
  private final ExecutorService executor;
  private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile long normalDelayMs;

  FakeEmbeddingServer(Dialect dialect, int nativeDimension, String expectedKey) {
    this.dialect = dialect;
    this.nativeDimension = nativeDimension;
    this.expectedKey = expectedKey;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fake-" + dialect);
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** http://127.0.0.1:PORT, without a path. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void enqueue(Reply... replies) {
    script.addAll(List.of(replies));
  }

  /** Every normal answer waits this long (to observe concurrency). */
  void delayEveryResponse(long ms) {
    normalDelayMs = ms;
  }

  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  /** The vector this fake returns for a text: deterministic, unit length. */
  static float[] vectorFor(String text, int dimension) {
    Random random = new Random(text.hashCode() * 31L + dimension);
    float[] v = new float[dimension];
    double norm = 0;
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < dimension; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  /** The fake's own token count: words, as a provider's usage would report. */
  static int tokens(String text) {
    String t = text.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    Map<String, String> headers = new LinkedHashMap<>();
    exchange
        .getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
    byte[] raw = exchange.getRequestBody().readAllBytes();
    JsonNode body;
    try {
      body = JSON.readTree(raw);
    } catch (IOException e) {
      body = JSON.createObjectNode();
    }
    received.add(
        new Received(
            exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body));
    Reply reply = script.pollFirst();
    if (reply == null) {
      reply = Reply.normal();
    }
    long delay = reply.delayMs() + normalDelayMs;
    if (delay > 0) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        inFlight.decrementAndGet();
        return;
      }
    }
    if (reply.status() != 0) {
      send(exchange, reply.status(), reply.headers(), reply.body());
      return;
    }
    answer(exchange, headers, body, reply.dropLast());
  }

  private void answer(
      HttpExchange exchange, Map<String, String> headers, JsonNode body, boolean dropLast)
      throws IOException {
    if (!exchange.getRequestMethod().equals("POST")
        || !exchange.getRequestURI().getPath().equals(dialect.path)) {
      send(exchange, 404, Map.of(), error(404, "no route " + exchange.getRequestURI().getPath()));
      return;
    }
    if (expectedKey != null) {
      String auth = headers.getOrDefault("authorization", "");
      if (!auth.equals("Bearer " + expectedKey)) {
        // like OpenAI, echo what was sent: the client must keep it out of its messages
        send(
            exchange,
            401,
            Map.of(),
            error(401, "Incorrect API key provided: " + auth.replace("Bearer ", "") + "."));
        return;
      }
    }
    JsonNode input = body.get(dialect == Dialect.COHERE ? "texts" : "input");
    if (input == null || !input.isArray() || body.path("model").asText().isEmpty()) {
      send(exchange, 400, Map.of(), error(400, "model and input are required"));
      return;
    }
    if (input.size() > dialect.maxInputs) {
      send(
          exchange,
          400,
          Map.of(),
          error(400, "too many inputs: " + input.size() + " > " + dialect.maxInputs));
      return;
    }
    List<String> texts = new ArrayList<>();
    long tokens = 0;
    for (JsonNode n : input) {
      if (dialect == Dialect.OPENAI && n.asText().isEmpty()) {
        send(exchange, 400, Map.of(), error(400, "'$.input' is invalid: empty string"));
        return;
      }
      texts.add(n.asText());
      tokens += tokens(n.asText());
    }
    if (tokens > dialect.maxTokens) {
      send(exchange, 400, Map.of(), error(400, "max " + dialect.maxTokens + " tokens per request"));
      return;
    }
    if (dialect == Dialect.COHERE
        && (!body.path("input_type").isTextual() || !body.path("embedding_types").isArray())) {
      send(exchange, 400, Map.of(), error(400, "input_type and embedding_types are required"));
      return;
    }
    int dimension = nativeDimension;
    for (String field : List.of("dimensions", "output_dimension")) {
      if (body.has(field)) {
        dimension = body.get(field).asInt();
      }
    }
    if (dropLast) {
      texts.remove(texts.size() - 1);
    }
    send(exchange, 200, Map.of(), success(body, texts, dimension, tokens));
  }

  private String success(JsonNode request, List<String> texts, int dimension, long tokens) {
    ObjectNode out = JSON.createObjectNode();
    switch (dialect) {
      case OPENAI, VOYAGE -> {
        boolean base64 = "base64".equals(request.path("encoding_format").asText());
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        // reversed on purpose: the client must order by "index"
        for (int i = texts.size() - 1; i >= 0; i--) {
          ObjectNode item = data.addObject();
          item.put("object", "embedding");
          item.put("index", i);
          float[] v = vectorFor(texts.get(i), dimension);
          if (base64) {
            ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(v);
            item.put("embedding", Base64.getEncoder().encodeToString(buf.array()));
          } else {
            ArrayNode arr = item.putArray("embedding");
            for (float x : v) {
              arr.add(x);
            }
          }
        }
        out.put("model", request.path("model").asText());
        ObjectNode usage = out.putObject("usage");
        if (dialect == Dialect.OPENAI) {
          usage.put("prompt_tokens", tokens);
        }
        usage.put("total_tokens", tokens);
      }
      case COHERE -> {
        out.put("id", "fake-id");
        ArrayNode floats = out.putObject("embeddings").putArray("float");
        texts.forEach(t -> addVector(floats.addArray(), vectorFor(t, dimension)));
        ArrayNode echoed = out.putArray("texts");
        texts.forEach(echoed::add);
        ObjectNode meta = out.putObject("meta");
        meta.putObject("api_version").put("version", "2");
        meta.putObject("billed_units").put("input_tokens", tokens);
        out.put("response_type", "embeddings_by_type");
      }
      case OLLAMA -> {
        out.put("model", request.path("model").asText());
        ArrayNode embeddings = out.putArray("embeddings");
        texts.forEach(t -> addVector(embeddings.addArray(), vectorFor(t, dimension)));
        out.put("total_duration", 14143917);
        out.put("load_duration", 1019500);
        out.put("prompt_eval_count", tokens);
      }
    }
    return out.toString();
  }

  private static void addVector(ArrayNode arr, float[] v) {
    for (float x : v) {
      arr.add(x);
    }
  }

  /** The provider's documented error body. */
  String error(int status, String message) {
    ObjectNode out = JSON.createObjectNode();
    switch (dialect) {
      case OPENAI -> {
        ObjectNode e = out.putObject("error");
        e.put("message", message);
        e.put("type", status == 429 ? "rate_limit_exceeded" : "invalid_request_error");
        e.putNull("param");
        e.put("code", status == 401 ? "invalid_api_key" : null);
      }
      case VOYAGE -> out.put("detail", message);
      case COHERE -> {
        out.put("id", "err-1");
        out.put("message", message);
      }
      case OLLAMA -> out.put("error", message);
    }
    return out.toString();
  }

  // every request gets one answer; it stops counting as in flight before the client sees it
  private void send(HttpExchange exchange, int status, Map<String, String> headers, String body)
      throws IOException {
    inFlight.decrementAndGet();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
