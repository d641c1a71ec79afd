package io.jembed.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
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
import org.junit.jupiter.api.Test;

/**
 * Clients as an attacker or an unlucky operator would have them, on real sockets on 127.0.0.1: slow
 * headers and bodies, idle connections, more work than the model can do, clients that leave,
 * deadlines, a full body budget, and shutdown with work queued. Every wait is bounded.
 */
class HostileClientsTest {

  private static EmbeddingServer start(FakeModel model, ServerOptions.Builder options) {
    return EmbeddingServer.builder().model("fake", model).options(options.port(0).build()).start();
  }

  private static Socket connect(EmbeddingServer server) throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(15_000);
    return s;
  }

  private static void write(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Everything the server sends until it closes the connection (bounded by the socket timeout). */
  private static String readUntilClosed(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (java.net.SocketException e) {
      return ""; // reset: closed as well
    }
  }

  private static String metric(Http client, String line) {
    for (String l : client.get("/metrics").body().split("\n")) {
      if (l.startsWith(line + " ")) {
        return l.substring(line.length() + 1);
      }
    }
    return null;
  }

  private static long median(java.util.stream.LongStream values) {
    long[] sorted = values.sorted().toArray();
    return sorted[sorted.length / 2];
  }

  @Test
  void slowBodiesDoNotLockOthersOutAndAreCutAtTheReadDeadline() throws Exception {
    try (EmbeddingServer server =
        start(
            new FakeModel(),
            ServerOptions.builder().maxConcurrentRequests(8).readTimeout(Duration.ofSeconds(2)))) {
      List<Socket> slow = new ArrayList<>();
      try {
        // five times the request limit: each sends its headers and the first byte of its body
        for (int i = 0; i < 40; i++) {
          Socket s = connect(server);
          write(
              s,
              "POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 100\r\n\r\n{");
          slow.add(s);
        }
        Http client = new Http(server.uri(), null);
        for (int i = 0; i < 3; i++) {
          Http.Reply r = client.post("/embed", "{\"inputs\": \"served while others dawdle\"}");
          assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        // the slow ones are answered 408 and closed at their deadline
        long t0 = System.nanoTime();
        for (Socket s : slow) {
          assertThat(readUntilClosed(s)).startsWith("HTTP/1.1 408");
        }
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
      } finally {
        for (Socket s : slow) {
          s.close();
        }
      }
    }
  }

  @Test
  void slowHeadersAreCutAtTheReadDeadlineEvenWhenBytesKeepComing() throws Exception {
    try (EmbeddingServer server =
            start(new FakeModel(), ServerOptions.builder().readTimeout(Duration.ofSeconds(2)));
        Socket s = connect(server)) {
      write(s, "POST /embed HTTP/1.1\r\nHost: x\r\n");
      // one header byte every 200 ms keeps any idle timeout from firing
      CompletableFuture<Void> drip =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int i = 0; i < 100; i++) {
                    write(s, "X");
                    Thread.sleep(200);
                  }
                } catch (IOException | InterruptedException e) {
                  // closed by the server: the point
                }
              });
      long t0 = System.nanoTime();
      assertThat(readUntilClosed(s)).startsWith("HTTP/1.1 408");
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(10));
      assertThat(new Http(server.uri(), null).get("/health").status()).isEqualTo(200);
      drip.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    try (EmbeddingServer server =
            start(new FakeModel(), ServerOptions.builder().idleTimeout(Duration.ofSeconds(1)));
        Socket s = connect(server)) {
      write(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      // the answer, then nothing more: the connection is closed after a second of idleness
      assertThat(readUntilClosed(s)).startsWith("HTTP/1.1 200").contains("\"ok\"");
    }
  }

  @Test
  void overloadIsRefusedAtOnceWithRetryAfterWhileAdmittedRequestsStayFast() throws Exception {
    // each model call takes 100 ms: 150 requests of 16 inputs are 7.5 s of work if all admitted
    FakeModel model = new FakeModel().delay(100);
    try (EmbeddingServer server =
        start(model, ServerOptions.builder().maxQueueWait(Duration.ofMillis(300)))) {
      Http client = new Http(server.uri(), null);
      // the first model call measures the rate the queue wait is estimated with
      assertThat(client.post("/embed", "{\"inputs\": \"warm up\"}").status()).isEqualTo(200);
      record Outcome(int status, long nanos, Http.Reply reply) {}
      List<Callable<Outcome>> calls = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        StringBuilder body = new StringBuilder("{\"inputs\": [");
        for (int j = 0; j < 16; j++) {
          body.append(j == 0 ? "" : ",").append("\"request ").append(i).append(" input ").append(j);
          body.append("\"");
        }
        String json = body.append("]}").toString();
        calls.add(
            () -> {
              long t0 = System.nanoTime();
              Http.Reply r = client.post("/embed", json);
              return new Outcome(r.status(), System.nanoTime() - t0, r);
            });
      }
      List<Outcome> outcomes = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (Future<Outcome> f : pool.invokeAll(calls)) {
          outcomes.add(f.get());
        }
      }
      List<Outcome> refused = outcomes.stream().filter(o -> o.status == 429).toList();
      List<Outcome> admitted = outcomes.stream().filter(o -> o.status == 200).toList();
      assertThat(refused.size() + admitted.size()).isEqualTo(outcomes.size());
      assertThat(refused).isNotEmpty();
      assertThat(admitted).isNotEmpty();
      for (Outcome o : refused) {
        assertThat(Integer.parseInt(o.reply.header("Retry-After"))).isPositive();
        assertThat(o.reply.json().at("/error/type").asText()).isEqualTo("queue_full");
        assertThat(o.reply.json().at("/error/message").asText()).contains("overloaded");
      }
      // admitted requests wait behind a bounded queue, not behind all 7.5 s of offered work
      long slowestAdmitted = admitted.stream().mapToLong(Outcome::nanos).max().orElseThrow();
      assertThat(slowestAdmitted).isLessThan(TimeUnit.SECONDS.toNanos(4));
      // and a refusal does not wait for the model (only, on a busy machine, for a core)
      assertThat(median(refused.stream().mapToLong(Outcome::nanos)))
          .isLessThan(median(admitted.stream().mapToLong(Outcome::nanos)));
    }
  }

  @Test
  void requestsWhoseClientsLeftAreDroppedBeforeTheyAreEncoded() throws Exception {
    FakeModel model = new FakeModel();
    try (EmbeddingServer server = start(model, ServerOptions.builder())) {
      Http client = new Http(server.uri(), null);
      model.hold();
      CompletableFuture<Http.Reply> first =
          CompletableFuture.supplyAsync(() -> client.post("/embed", "{\"inputs\": \"first\"}"));
      BatcherTest.waitFor(() -> model.batches.size() == 1); // held inside the model
      List<Socket> leaving = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Socket s = connect(server);
        String body = "{\"inputs\": [\"abandoned " + i + "\", \"also abandoned " + i + "\"]}";
        write(
            s,
            "POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
        leaving.add(s);
      }
      String queued = "jembed_queue_inputs{model=\"fake\"}";
      BatcherTest.waitFor(() -> "10".equals(metric(client, queued)));
      for (Socket s : leaving) {
        s.close();
      }
      // the queue empties without a model call, and the drop is counted
      BatcherTest.waitFor(() -> "0".equals(metric(client, queued)));
      assertThat(
              metric(client, "jembed_dropped_inputs_total{model=\"fake\",reason=\"client_gone\"}"))
          .isEqualTo("10");
      model.release();
      assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      Http.Reply after = client.post("/embed", "{\"inputs\": \"after\"}");
      assertThat(after.status()).isEqualTo(200);
      for (List<String> batch : model.batches) {
        assertThat(batch).noneMatch(t -> t.contains("abandoned"));
      }
    }
  }

  @Test
  void aRequestPastItsDeadlineGets503AndIsNeverEncoded() throws Exception {
    FakeModel model = new FakeModel();
    try (EmbeddingServer server =
        start(model, ServerOptions.builder().requestTimeout(Duration.ofSeconds(1)))) {
      Http client = new Http(server.uri(), null);
      model.hold();
      CompletableFuture<Http.Reply> first =
          CompletableFuture.supplyAsync(() -> client.post("/embed", "{\"inputs\": \"first\"}"));
      BatcherTest.waitFor(() -> model.batches.size() == 1);
      Http.Reply late = client.post("/embed", "{\"inputs\": \"too late\"}");
      assertThat(late.status()).as(late.body()).isEqualTo(503);
      assertThat(late.json().at("/error/type").asText()).isEqualTo("timeout");
      assertThat(late.header("Retry-After")).isEqualTo("1");
      model.release();
      // the one caught inside the model also passed its deadline: 503 as well
      assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(503);
      assertThat(client.post("/embed", "{\"inputs\": \"on time\"}").status()).isEqualTo(200);
      for (List<String> batch : model.batches) {
        assertThat(batch).doesNotContain("too late");
      }
      assertThat(metric(client, "jembed_dropped_inputs_total{model=\"fake\",reason=\"deadline\"}"))
          .isEqualTo("1");
    }
  }

  @Test
  void bodiesBeyondTheBudgetGet503AtOnce() throws Exception {
    try (EmbeddingServer server =
        start(
            new FakeModel(),
            ServerOptions.builder().maxBodyBytes(64_000).maxBodyBytesInFlight(128_000))) {
      String headers =
          "POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Content-Length: 64000\r\n\r\n{\"inputs\": \"";
      try (Socket a = connect(server);
          Socket b = connect(server);
          Socket c = connect(server)) {
        write(a, headers);
        write(b, headers);
        BatcherTest.waitFor(
            () ->
                "128000"
                    .equals(metric(new Http(server.uri(), null), "jembed_body_bytes_in_flight")));
        write(c, headers);
        String refused = readUntilClosed(c);
        assertThat(refused).startsWith("HTTP/1.1 503").contains("Retry-After: 1");
        assertThat(refused).contains("server_busy");
      }
      // the budget is returned when those clients leave
      Http client = new Http(server.uri(), null);
      BatcherTest.waitFor(() -> "0".equals(metric(client, "jembed_body_bytes_in_flight")));
      assertThat(client.post("/embed", "{\"inputs\": \"fits again\"}").status()).isEqualTo(200);
    }
  }

  @Test
  void shutdownEndsWithinGracePlusTwoSecondsWithWorkStillQueued() throws Exception {
    // each model call takes 600 ms: 64 requests of 32 inputs are about 38 s of work (under the
    // queue wait, so all are admitted), and a loaded machine has time to send all 64 first
    FakeModel model = new FakeModel().delay(600);
    EmbeddingServer server =
        start(
            model,
            ServerOptions.builder()
                .shutdownGrace(Duration.ofSeconds(1))
                .maxQueueWait(Duration.ofMinutes(1)));
    Http client = new Http(server.uri(), null);
    List<CompletableFuture<Integer>> replies = new ArrayList<>();
    ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    for (int i = 0; i < 64; i++) {
      StringBuilder body = new StringBuilder("{\"inputs\": [");
      for (int j = 0; j < 32; j++) {
        body.append(j == 0 ? "" : ",").append("\"r").append(i).append(" i").append(j).append("\"");
      }
      String json = body.append("]}").toString();
      replies.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return client.post("/embed", json).status();
                } catch (RuntimeException e) {
                  return -1; // connection closed by the shutdown
                }
              },
              clients));
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.requestsInFlight() < 64 || model.batches.isEmpty()) {
      assertThat(System.nanoTime())
          .as(
              "all 64 requests in flight; now %d, model calls %d, answered %s",
              server.requestsInFlight(),
              model.batches.size(),
              replies.stream()
                  .filter(CompletableFuture::isDone)
                  .map(CompletableFuture::join)
                  .toList())
          .isLessThan(until);
      Thread.sleep(10);
    }
    long t0 = System.nanoTime();
    server.close();
    long took = System.nanoTime() - t0;
    assertThat(took).isLessThan(TimeUnit.SECONDS.toNanos(1 + 2));
    int callsAtClose = model.batches.size();
    // every client has its answer (or a closed connection) promptly: nobody waits for the rest
    for (CompletableFuture<Integer> r : replies) {
      assertThat(r.get(10, TimeUnit.SECONDS)).isIn(200, 503, -1);
    }
    assertThat(replies.stream().map(CompletableFuture::join)).contains(503);
    Thread.sleep(500);
    assertThat(model.batches.size()).isLessThanOrEqualTo(callsAtClose + 1);
    clients.close();
  }
}
