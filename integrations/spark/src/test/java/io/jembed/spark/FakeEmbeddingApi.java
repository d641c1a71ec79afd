package io.jembed.spark;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible embeddings endpoint on 127.0.0.1 ({@code POST /v1/embeddings}) with the
 * documented request and response shapes, a deterministic vector per text, an optional rate limit
 * (at most N requests in any sliding window, else 429 with retry-after-ms, as OpenAI answers), an
 * empty-string refusal (400, as OpenAI's), and a log of the requests it served.
 */
final class FakeEmbeddingApi implements AutoCloseable {
  static final int DIMENSION = 16;
  static final String PROBE = "dimension probe";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request answered with vectors: when, and which texts. */
  record Served(long nanos, List<String> inputs) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Served> served = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger rateLimited = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final ArrayDeque<Long> window = new ArrayDeque<>();
  private volatile int limit = Integer.MAX_VALUE;
  private volatile long windowNanos = 1;
  private volatile int status;

  FakeEmbeddingApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/v1/embeddings", this::handle);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** At most {@code requests} answered in any window of {@code millis}; the others get 429. */
  void limit(int requests, long millis) {
    limit = requests;
    windowNanos = millis * 1_000_000;
  }

  /** Every request but the dimension probe fails with this status (0: answer normally). */
  void failWith(int status) {
    this.status = status;
  }

  /** Requests answered with vectors, the dimension probe left out. */
  List<Served> served() {
    synchronized (served) {
      return served.stream().filter(s -> !s.inputs().equals(List.of(PROBE))).toList();
    }
  }

  /** Requests answered with the scripted failure. */
  int failed() {
    return failed.get();
  }

  int rateLimited() {
    return rateLimited.get();
  }

  static float[] vectorFor(String text) {
    Random random = new Random(text.hashCode());
    float[] v = new float[DIMENSION];
    for (int i = 0; i < DIMENSION; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  private void handle(HttpExchange exchange) throws IOException {
    JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
    List<String> inputs = new ArrayList<>();
    body.path("input").forEach(n -> inputs.add(n.asText()));
    if (status != 0 && !inputs.equals(List.of(PROBE))) {
      failed.incrementAndGet();
      send(exchange, status, error("scripted failure"), null);
      return;
    }
    if (inputs.contains("")) {
      send(exchange, 400, error("'$.input' is invalid: empty string"), null);
      return;
    }
    long now = System.nanoTime();
    synchronized (window) {
      while (!window.isEmpty() && now - window.peekFirst() >= windowNanos) {
        window.pollFirst();
      }
      if (window.size() >= limit) {
        rateLimited.incrementAndGet();
        send(exchange, 429, error("Rate limit reached for requests"), "50");
        return;
      }
      window.addLast(now);
    }
    served.add(new Served(now, List.copyOf(inputs)));
    ObjectNode out = JSON.createObjectNode();
    out.put("object", "list");
    ArrayNode data = out.putArray("data");
    long tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      ObjectNode item = data.addObject();
      item.put("object", "embedding");
      item.put("index", i);
      ArrayNode vector = item.putArray("embedding");
      for (float x : vectorFor(inputs.get(i))) {
        vector.add(x);
      }
      tokens += inputs.get(i).split("\\s+").length;
    }
    out.put("model", body.path("model").asText());
    out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    send(exchange, 200, out.toString(), null);
  }

  private static String error(String message) {
    ObjectNode out = JSON.createObjectNode();
    out.putObject("error").put("message", message).put("type", "invalid_request_error");
    return out.toString();
  }

  private static void send(HttpExchange exchange, int status, String body, String retryAfterMs)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (retryAfterMs != null) {
      exchange.getResponseHeaders().set("retry-after-ms", retryAfterMs);
    }
    exchange.sendResponseHeaders(status, bytes.length);
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
