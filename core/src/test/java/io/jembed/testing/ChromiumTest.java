package io.jembed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness end to end: Debian's Chromium runs a page's script headless, alone and driven by
 * ChromeDriver over the WebDriver protocol (plain HTTP here; browser tests use Selenium).
 */
@RequiresServers(TestServer.CHROMIUM)
class ChromiumTest {
  private static final String PAGE =
      """
      <!doctype html><html><head><title>waiting</title></head><body><p id="answer"></p>
      <script>
        const answer = "script ran: " + 6 * 7;
        document.getElementById("answer").textContent = answer;
        document.title = answer;
      </script></body></html>
      """;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static HttpServer server;

  @TempDir Path dir;

  @BeforeAll
  static void servePage() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterAll
  static void stopServing() {
    server.stop(0);
  }

  private static String pageUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  @Test
  void headlessChromiumRunsThePagesScript(TestServers.Chromium chromium) throws Exception {
    Process browser =
        new ProcessBuilder(chromium.headlessCommand(dir, "--dump-dom", pageUrl()))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    CompletableFuture<String> dom =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    try {
      assertThat(browser.waitFor(120, TimeUnit.SECONDS)).as("chromium exits").isTrue();
      assertThat(dom.get(10, TimeUnit.SECONDS)).contains("<p id=\"answer\">script ran: 42</p>");
    } finally {
      browser.destroyForcibly();
    }
  }

  @Test
  void chromeDriverDrivesChromium(TestServers.Chromium chromium) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path log = dir.resolve("chromedriver.log");
    Process driver =
        new ProcessBuilder(chromium.driver().toString(), "--port=" + port)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    WebDriverClient webDriver = new WebDriverClient(URI.create("http://127.0.0.1:" + port));
    try {
      webDriver.awaitReady(Duration.ofSeconds(60));
      List<String> args = new ArrayList<>(TestServers.CHROMIUM_HEADLESS_FLAGS);
      args.add("--user-data-dir=" + dir.resolve("profile"));
      ObjectNode options = JSON.createObjectNode().put("binary", chromium.browser().toString());
      options.putArray("args").addAll(args.stream().map(JSON.getNodeFactory()::textNode).toList());
      ObjectNode capabilities = JSON.createObjectNode();
      capabilities
          .putObject("capabilities")
          .putObject("alwaysMatch")
          .set("goog:chromeOptions", options);

      String session = webDriver.call("POST", "/session", capabilities).path("sessionId").asText();
      try {
        webDriver.call(
            "POST", "/session/" + session + "/url", JSON.createObjectNode().put("url", pageUrl()));
        assertThat(webDriver.call("GET", "/session/" + session + "/title", null).asText())
            .isEqualTo("script ran: 42");
      } finally {
        webDriver.call("DELETE", "/session/" + session, null);
      }
    } catch (AssertionError | IOException e) {
      throw new AssertionError("chromedriver's log:\n" + Files.readString(log), e);
    } finally {
      driver.destroy();
      if (!driver.waitFor(10, TimeUnit.SECONDS)) {
        driver.destroyForcibly();
      }
    }
  }

  /** The few WebDriver commands this test needs, as JSON over HTTP. */
  private record WebDriverClient(URI base) {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    void awaitReady(Duration timeout) throws InterruptedException, IOException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        try {
          if (call("GET", "/status", null).path("ready").asBoolean()) {
            return;
          }
        } catch (IOException notListeningYet) {
          if (System.nanoTime() > deadline) {
            throw notListeningYet;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("chromedriver was not ready within " + timeout);
        }
        Thread.sleep(100);
      }
    }

    /** Sends a command and returns its "value". */
    JsonNode call(String method, String path, JsonNode body)
        throws IOException, InterruptedException {
      HttpRequest.BodyPublisher publisher =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .method(method, publisher)
                  .header("Content-Type", "application/json")
                  .timeout(Duration.ofSeconds(120))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode())
          .as("%s %s: %s", method, path, response.body())
          .isEqualTo(200);
      return JSON.readTree(response.body()).path("value");
    }
  }
}
