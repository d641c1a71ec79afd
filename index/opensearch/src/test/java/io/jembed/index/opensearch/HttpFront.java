package io.jembed.index.opensearch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on 127.0.0.1 in front of the real node: it forwards every request, unless the test
 * says otherwise for a request (answer for the node, wait, or stop answering altogether). The node
 * behind it is real; only the faults are made here.
 */
final class HttpFront implements AutoCloseable {
  /** What the front does with one request; null forwards it. */
  interface Fault {
    Answer apply(String method, String path, int bulkCount) throws Exception;
  }

  /** A made-up answer. */
  record Answer(int status, String json) {}

  private final URI node;
  private final HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger bulks = new AtomicInteger();
  private volatile Fault fault = (m, p, n) -> null;

  HttpFront(URI node) throws IOException {
    this.node = node;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Bulk requests seen so far. */
  int bulks() {
    return bulks.get();
  }

  void fault(Fault f) {
    this.fault = f;
  }

  /** The node goes away: the port closes, open connections are dropped. */
  void stop() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      int bulk = path.endsWith("/_bulk") ? bulks.incrementAndGet() : 0;
      Answer answer;
      try {
        answer = fault.apply(ex.getRequestMethod(), path, bulk);
      } catch (Exception e) {
        return; // the connection is dropped without an answer
      }
      if (answer == null) {
        HttpRequest.Builder forward =
            HttpRequest.newBuilder(node.resolve(path + (query == null ? "" : "?" + query)))
                .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null) {
          forward.header("Content-Type", type);
        }
        HttpResponse<byte[]> r;
        try {
          r = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        r.headers()
            .firstValue("Content-Type")
            .ifPresent(t -> ex.getResponseHeaders().add("Content-Type", t));
        send(ex, r.statusCode(), r.body());
      } else {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        send(ex, answer.status(), answer.json().getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    if (ex.getRequestMethod().equals("HEAD") || body.length == 0) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
