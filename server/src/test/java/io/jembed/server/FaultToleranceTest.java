package io.jembed.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.EmbeddingModel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed JSON, wrong types, huge bodies, slow clients, disconnects, overload and shutdown: the
 * server answers each with the right status and keeps serving.
 */
class FaultToleranceTest {
  static final long MAX_BODY = 64 * 1024;
  static EmbeddingModel model;
  static EmbeddingServer server;
  static Http http;

  @BeforeAll
  static void start() {
    model = EmbeddingModel.load("all-MiniLM-L6-v2");
    server =
        EmbeddingServer.builder()
            .model("minilm", model)
            .options(ServerOptions.builder().port(0).maxBodyBytes(MAX_BODY).build())
            .start();
    http = new Http(server.uri(), null);
  }

  @AfterAll
  static void stop() {
    server.close();
    model.close();
  }

  /**
   * One small request is answered. A 429 with Retry-After is a correct answer while work that an
   * earlier test abandoned is still in the queue (a slow machine estimates long waits), so it is
   * tried again after the advised wait, a few times; a server that stays locked out still fails.
   */
  private static void assertStillServing() throws InterruptedException {
    Http.Reply r = http.post("/v1/embeddings", "{\"input\": \"still alive\"}");
    for (int attempt = 1; r.status() == 429 && attempt < 4; attempt++) {
      long seconds = r.raw().headers().firstValueAsLong("Retry-After").orElseThrow();
      Thread.sleep(Math.min(seconds, 5) * 1000);
      r = http.post("/v1/embeddings", "{\"input\": \"still alive\"}");
    }
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().at("/data/0/embedding")).hasSize(384);
  }

  /** Sends raw bytes and returns the status line of the answer. */
  private static String rawStatusLine(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return new java.io.BufferedReader(
              new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))
          .readLine();
    }
  }

  @Test
  void hugeBodiesGet413WithoutBeingRead() throws Exception {
    String huge = "{\"input\": \"" + "a".repeat((int) MAX_BODY) + "\"}";
    Http.Reply r = http.post("/v1/embeddings", huge);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().at("/error/type").asText()).isEqualTo("payload_too_large");

    // a body that claims a giant length is refused before any of it is read
    String reply =
        rawStatusLine(
            "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 10000000000\r\nConnection: close\r\n\r\n{\"input\":");
    assertThat(reply).startsWith("HTTP/1.1 413");

    // chunked, no length: counted while reading
    HttpRequest.Builder chunked =
        HttpRequest.newBuilder(server.uri().resolve("/embed"))
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))));
    assertThat(http.send(chunked, null).status()).isEqualTo(413);
    assertStillServing();
  }

  @Test
  void slowClientsDoNotBlockOthers() throws Exception {
    try (Socket slow = new Socket("127.0.0.1", server.port())) {
      OutputStream out = slow.getOutputStream();
      out.write(
          "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Le"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // while the slow client dawdles in its headers, others are answered
      for (int i = 0; i < 3; i++) {
        assertStillServing();
      }
      String body = "{\"input\": \"slow but steady\"}";
      out.write(
          ("ngth: " + body.length() + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      for (byte b : body.getBytes(StandardCharsets.US_ASCII)) {
        out.write(b);
        out.flush();
        Thread.sleep(5);
      }
      slow.setSoTimeout(30_000);
      String reply = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(reply).startsWith("HTTP/1.1 200").contains("\"embedding\"");
    }
  }

  @Test
  void clientsThatDisconnectMidRequestLeaveTheServerServing() throws Exception {
    // mid-body
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream()
          .write(
              "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"input\": [\"ab"
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }
    // mid-encoding: a large request, then gone before the answer
    StringBuilder big = new StringBuilder("{\"input\": [");
    for (int i = 0; i < 200; i++) {
      big.append(i == 0 ? "" : ",")
          .append("\"sentence number ")
          .append(i)
          .append(" about nothing\"");
    }
    big.append("]}");
    byte[] bytes = big.toString().getBytes(StandardCharsets.US_ASCII);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: "
                  + bytes.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
    }
    // half-closed in the headers
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
    }
    assertStillServing();
  }

  @Test
  void aClientGoneMidBodyDoesNotHoldUpShutdown() throws Exception {
    EmbeddingServer own =
        EmbeddingServer.builder()
            .model("fake", new FakeModel())
            .options(ServerOptions.builder().port(0).shutdownGrace(Duration.ofSeconds(30)).build())
            .start();
    try (Socket s = new Socket("127.0.0.1", own.port())) {
      s.getOutputStream()
          .write(
              "POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"inputs\": \"ab"
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }
    Http client = new Http(own.uri(), null);
    BatcherTest.waitFor(
        () ->
            client
                .get("/metrics")
                .body()
                .contains("jembed_errors_total{kind=\"client_disconnect\"} 1"));
    long t0 = System.nanoTime();
    own.close();
    // far below the 30 s grace: nothing was left waiting for the vanished client
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(15));
  }

  @Test
  void aBadContentLengthGetsAJsonError() throws Exception {
    for (String length : List.of("banana", "-5", "1, 2")) {
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        s.setSoTimeout(10_000);
        s.getOutputStream()
            .write(
                ("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + length
                        + "\r\n\r\n{}")
                    .getBytes(StandardCharsets.ISO_8859_1));
        String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(reply).as(length).startsWith("HTTP/1.1 400");
        assertThat(reply.toLowerCase(java.util.Locale.ROOT))
            .contains("content-type: application/json");
        assertThat(reply).contains("\"type\":\"malformed_request\"");
      }
    }
    assertStillServing();
  }

  @Test
  void garbageRequestLinesAndHeadersAreSurvived() throws Exception {
    for (String junk :
        List.of(
            "\r\n\r\n",
            "HELLO\r\n\r\n",
            "POST /v1/embeddings HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
            "POST /v1/embeddings HTTP/1.1\r\nContent-Length: banana\r\n\r\n",
            "\u0000\u0001\u0002 binary garbage\r\n\r\n")) {
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(junk.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        s.shutdownOutput();
        InputStream in = s.getInputStream();
        in.readAllBytes(); // whatever it answers, it answers and closes
      } catch (java.net.SocketException | java.net.SocketTimeoutException e) {
        // a reset is an acceptable answer to garbage
      }
    }
    assertStillServing();
  }

  @Test
  void overloadGets429FastWhileAcceptedRequestsAllCompleteCorrectly() throws Exception {
    FakeModel slow = new FakeModel().delay(300);
    try (EmbeddingServer small =
        EmbeddingServer.builder()
            .model("fake", slow)
            .options(ServerOptions.builder().port(0).maxConcurrentRequests(2).build())
            .start()) {
      Http client = new Http(small.uri(), null);
      record Outcome(int status, long nanos, String text, Http.Reply reply) {}
      List<Callable<Outcome>> calls = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        String text = "request number " + i;
        calls.add(
            () -> {
              long t0 = System.nanoTime();
              Http.Reply r = client.post("/v1/embeddings", "{\"input\": [\"" + text + "\"]}");
              return new Outcome(r.status(), System.nanoTime() - t0, text, r);
            });
      }
      List<Outcome> outcomes = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (Future<Outcome> f : pool.invokeAll(calls)) {
          outcomes.add(f.get());
        }
      }
      List<Outcome> rejected = outcomes.stream().filter(o -> o.status == 429).toList();
      List<Outcome> accepted = outcomes.stream().filter(o -> o.status == 200).toList();
      assertThat(rejected.size() + accepted.size()).isEqualTo(outcomes.size());
      assertThat(rejected).isNotEmpty();
      assertThat(accepted).isNotEmpty();
      for (Outcome o : rejected) {
        assertThat(o.reply.header("Retry-After")).isEqualTo("1");
        assertThat(o.reply.json().at("/error/type").asText()).isEqualTo("queue_full");
      }
      for (Outcome o : accepted) {
        float[] v = EmbeddingServerTest.floats(o.reply.json().at("/data/0/embedding"));
        assertThat(v).containsExactly(FakeModel.vectorOf(o.text));
      }
      // a rejection never waits for the model: the slowest 429 beats the slowest accepted request
      long slowestRejection = rejected.stream().mapToLong(Outcome::nanos).max().orElseThrow();
      long slowestAccepted = accepted.stream().mapToLong(Outcome::nanos).max().orElseThrow();
      assertThat(slowestRejection).isLessThan(slowestAccepted);
      assertThat(client.get("/metrics").body())
          .contains("jembed_errors_total{kind=\"queue_full\"}");
    }
  }

  @Test
  void gracefulShutdownFinishesRequestsInFlight() throws Exception {
    FakeModel slow = new FakeModel().delay(800);
    EmbeddingServer closing =
        EmbeddingServer.builder()
            .model("fake", slow)
            .options(ServerOptions.builder().port(0).shutdownGrace(Duration.ofSeconds(20)).build())
            .start();
    Http client = new Http(closing.uri(), null);
    List<CompletableFuture<Http.Reply>> inFlight = new ArrayList<>();
    ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    for (int i = 0; i < 4; i++) {
      String text = "in flight " + i;
      inFlight.add(
          CompletableFuture.supplyAsync(
              () -> client.post("/embed", "{\"inputs\": \"" + text + "\"}"), clients));
    }
    // all four are inside the server, the first batch is in the model
    BatcherTest.waitFor(() -> closing.requestsInFlight() == 4 && !slow.batches.isEmpty());
    long t0 = System.nanoTime();
    closing.close();
    for (int i = 0; i < inFlight.size(); i++) {
      Http.Reply r = inFlight.get(i).get(30, TimeUnit.SECONDS);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(EmbeddingServerTest.floats(r.json().get(0)))
          .containsExactly(FakeModel.vectorOf("in flight " + i));
    }
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(20));
    // and afterwards nobody is listening
    assertThat(
            CompletableFuture.supplyAsync(
                    () -> {
                      try (Socket s = new Socket("127.0.0.1", closing.port())) {
                        return "connected";
                      } catch (java.io.IOException e) {
                        return "refused";
                      }
                    })
                .get(10, TimeUnit.SECONDS))
        .isEqualTo("refused");
    clients.close();
  }
}
