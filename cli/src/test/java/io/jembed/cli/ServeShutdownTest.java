package io.jembed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code jembed serve} in its own JVM: SIGTERM with a full queue ends it within the grace + 2 s.
 */
class ServeShutdownTest {

  @Test
  void sigtermEndsTheProcessWithinGracePlusTwoSecondsWithWorkQueued() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        List.of(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx1g",
            "-Djembed.home=" + System.getProperty("jembed.home"),
            "-cp",
            System.getProperty("java.class.path"),
            JembedCli.class.getName(),
            "serve",
            "--port",
            "0",
            "--shutdown-grace",
            "2",
            // admit everything: minutes of work queue up behind the grace
            "--max-queue-wait-ms",
            "600000");
    Process serve =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(120, TimeUnit.SECONDS);
      assertThat(line).startsWith("http://127.0.0.1:");
      URI base = URI.create(line.strip());
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      StringBuilder body = new StringBuilder("{\"input\": [");
      for (int i = 0; i < 256; i++) {
        body.append(i == 0 ? "" : ",").append("\"sentence ").append(i).append(" of a long queue\"");
      }
      String json = body.append("]}").toString();
      List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        requests.add(
            http.sendAsync(
                HttpRequest.newBuilder(base.resolve("/v1/embeddings"))
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      awaitInFlight(http, base, 32);
      long t0 = System.nanoTime();
      serve.destroy(); // SIGTERM
      boolean ended = serve.waitFor(30, TimeUnit.SECONDS);
      long took = System.nanoTime() - t0;
      assertThat(ended).isTrue();
      assertThat(took).isLessThan(TimeUnit.SECONDS.toNanos(2 + 2));
      for (CompletableFuture<HttpResponse<String>> r : requests) {
        // each got its answer (200 or 503) or saw the connection close; none is left hanging
        assertThat(r.handle((response, failure) -> "done")).succeedsWithin(10, TimeUnit.SECONDS);
      }
    } finally {
      serve.destroyForcibly();
    }
  }

  private static String readLine(BufferedReader in) {
    try {
      return in.readLine();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Waits until the server holds {@code n} requests (bounded). */
  private static void awaitInFlight(HttpClient http, URI base, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String metrics =
          http.send(
                  HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      if (metrics.contains("jembed_requests_in_flight " + n)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the server never held " + n + " requests");
  }
}
