package io.jembed.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jembed.JembedException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {
  static final byte[] CONTENT = new byte[300_000];
  static HttpServer server;
  static HttpServer other;
  static ExecutorService executor;
  static final List<String[]> log = new CopyOnWriteArrayList<>(); // {path, range, authorization}
  static volatile boolean honourRange = true;
  static volatile long cutOffAfter = -1;

  @TempDir Path dir;

  // started once per JVM, for both JUnit tests and jqwik properties (which skip @BeforeAll)
  static {
    try {
      startServers();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void startServers() throws IOException {
    new Random(42).nextBytes(CONTENT);
    executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "downloader-test-server");
              t.setDaemon(true);
              return t;
            });
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    server = HttpServer.create(loopback, 0);
    other = HttpServer.create(loopback, 0);
    server.setExecutor(executor);
    other.setExecutor(executor);
    server.createContext("/file", ex -> serve(ex, CONTENT));
    server.createContext(
        "/missing",
        ex -> {
          try (ex) {
            record(ex);
            ex.sendResponseHeaders(404, -1);
          }
        });
    server.createContext(
        "/private",
        ex -> {
          try (ex) {
            record(ex);
            ex.sendResponseHeaders(401, -1);
          }
        });
    server.createContext("/same-origin-redirect", ex -> redirect(ex, "/file"));
    server.createContext(
        "/cross-origin-redirect",
        ex -> redirect(ex, "http://127.0.0.1:" + other.getAddress().getPort() + "/file"));
    other.createContext("/file", ex -> serve(ex, CONTENT));
    server.createContext(
        "/stall",
        ex -> {
          try (ex) {
            record(ex);
            ex.sendResponseHeaders(200, CONTENT.length);
            ex.getResponseBody().write(CONTENT, 0, 1000);
            ex.getResponseBody().flush();
            Thread.sleep(3000);
          } catch (InterruptedException | IOException e) {
            // the client gave up: fine
          }
        });
    server.start();
    other.start();
  }

  @BeforeEach
  void reset() {
    log.clear();
    honourRange = true;
    cutOffAfter = -1;
  }

  static void record(HttpExchange ex) {
    log.add(
        new String[] {
          ex.getRequestURI().getPath(),
          ex.getRequestHeaders().getFirst("Range"),
          ex.getRequestHeaders().getFirst("Authorization")
        });
  }

  static void redirect(HttpExchange ex, String location) throws IOException {
    try (ex) {
      record(ex);
      ex.getResponseHeaders().set("Location", location);
      ex.sendResponseHeaders(302, -1);
    }
  }

  static void serve(HttpExchange ex, byte[] content) throws IOException {
    try (ex) {
      record(ex);
      String range = ex.getRequestHeaders().getFirst("Range");
      int start = 0;
      int status = 200;
      if (range != null && honourRange) {
        start = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
        status = 206;
        ex.getResponseHeaders()
            .set(
                "Content-Range",
                "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
      }
      int length = content.length - start;
      ex.sendResponseHeaders(status, length);
      OutputStream body = ex.getResponseBody();
      long cut = cutOffAfter;
      if (cut >= 0) {
        cutOffAfter = -1;
        body.write(content, start, (int) cut);
        body.flush();
        // closing the exchange with bytes missing makes the server drop the connection
        ex.close();
        return;
      }
      body.write(content, start, length);
    }
  }

  static URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  static Checksum sha256() {
    return Checksum.sha256(FakeHub.sha256(CONTENT));
  }

  @Test
  void downloadsVerifiesAndReportsProgress() throws IOException {
    Path target = dir.resolve("sub/model.bin");
    List<long[]> progress = new ArrayList<>();
    Path result =
        Downloader.create()
            .download(
                url("/file"),
                target,
                sha256(),
                (done, total) -> progress.add(new long[] {done, total}));

    assertThat(result).isEqualTo(target);
    assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
    assertThat(Downloader.incompleteFile(target)).doesNotExist();
    assertThat(progress).isNotEmpty();
    assertThat(progress.getLast()).containsExactly(CONTENT.length, CONTENT.length);
    for (int i = 1; i < progress.size(); i++) {
      assertThat(progress.get(i)[0]).isGreaterThanOrEqualTo(progress.get(i - 1)[0]);
    }
  }

  @Test
  void anExistingVerifiedTargetNeedsNoRequest() throws IOException {
    Path target = dir.resolve("model.bin");
    Files.write(target, CONTENT);
    Downloader.create().download(url("/file"), target, sha256(), null);
    assertThat(log).isEmpty();
  }

  @Test
  void anExistingTargetWithTheWrongChecksumIsReplaced() throws IOException {
    Path target = dir.resolve("model.bin");
    Files.write(target, new byte[] {1, 2, 3});
    Downloader.create().download(url("/file"), target, sha256(), null);
    assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
  }

  @Test
  void resumesAPartialFileWithARangeRequest() throws IOException {
    Path target = dir.resolve("model.bin");
    Files.write(Downloader.incompleteFile(target), Arrays.copyOf(CONTENT, 100_000));

    Downloader.create().download(url("/file"), target, sha256(), null);

    assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
    assertThat(log).hasSize(1);
    assertThat(log.getFirst()[1]).isEqualTo("bytes=100000-");
  }

  @Test
  void startsOverWhenTheServerIgnoresTheRange() throws IOException {
    honourRange = false;
    Path target = dir.resolve("model.bin");
    Files.write(Downloader.incompleteFile(target), Arrays.copyOf(CONTENT, 100_000));

    Downloader.create().download(url("/file"), target, null, null);

    assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
  }

  @Test
  void anInterruptedDownloadLeavesNoFinalFileAndTheNextCallResumes() throws IOException {
    Path target = dir.resolve("model.bin");
    cutOffAfter = 120_000;

    assertThatThrownBy(() -> Downloader.create().download(url("/file"), target, sha256(), null))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining(url("/file").toString())
        .hasMessageContaining("resumes")
        .hasMessageNotContaining("timeout");
    assertThat(target).doesNotExist();
    Path partial = Downloader.incompleteFile(target);
    assertThat(partial).exists();
    long kept = Files.size(partial);
    assertThat(kept).isBetween(1L, (long) CONTENT.length - 1);

    Downloader.create().download(url("/file"), target, sha256(), null);

    assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
    assertThat(log.getLast()[1]).isEqualTo("bytes=" + kept + "-");
    assertThat(partial).doesNotExist();
  }

  @Test
  void aChecksumMismatchIsRefusedAndNothingIsKept() {
    Path target = dir.resolve("model.bin");
    Checksum wrong = Checksum.sha256("0".repeat(64));

    assertThatThrownBy(() -> Downloader.create().download(url("/file"), target, wrong, null))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("Checksum mismatch")
        .hasMessageContaining(wrong.hex())
        .hasMessageContaining(FakeHub.sha256(CONTENT));
    assertThat(target).doesNotExist();
    assertThat(Downloader.incompleteFile(target)).doesNotExist();
  }

  @Test
  void aCorruptPartialFileIsDiscardedAndFetchedAgainInFull() throws IOException {
    Path target = dir.resolve("model.bin");
    byte[] corrupt = Arrays.copyOf(CONTENT, 50_000);
    corrupt[10] ^= 1;
    Files.write(Downloader.incompleteFile(target), corrupt);

    Downloader.create().download(url("/file"), target, sha256(), null);

    assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
    assertThat(log).hasSize(2);
    assertThat(log.get(0)[1]).isEqualTo("bytes=50000-");
    assertThat(log.get(1)[1]).isNull();
  }

  @Test
  void errorStatusesNameTheUrlAndTheStatus() {
    Path target = dir.resolve("x.bin");
    assertThatThrownBy(() -> Downloader.create().download(url("/missing"), target))
        .isInstanceOfSatisfying(
            HttpStatusException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
        .hasMessageContaining(url("/missing").toString())
        .hasMessageContaining("HTTP 404");
    assertThat(target).doesNotExist();
  }

  @Test
  void headersAreSentButNeverShownAndNeverLeaveTheOrigin() throws IOException {
    Downloader downloader =
        Downloader.builder().header("Authorization", "Bearer hf_topsecret").build();

    assertThatThrownBy(() -> downloader.download(url("/private"), dir.resolve("p.bin")))
        .hasMessageContaining("HTTP 401")
        .hasMessageNotContaining("hf_topsecret");
    assertThat(log.getLast()[2]).isEqualTo("Bearer hf_topsecret");

    log.clear();
    downloader.download(url("/same-origin-redirect"), dir.resolve("a.bin"));
    assertThat(log)
        .extracting(r -> r[2])
        .containsExactly("Bearer hf_topsecret", "Bearer hf_topsecret");

    log.clear();
    downloader.download(url("/cross-origin-redirect"), dir.resolve("b.bin"));
    assertThat(log).hasSize(2);
    assertThat(log.get(0)[2]).isEqualTo("Bearer hf_topsecret");
    assertThat(log.get(1)[2]).isNull();
    assertThat(Files.readAllBytes(dir.resolve("b.bin"))).isEqualTo(CONTENT);
  }

  @Test
  void aStalledTransferTimesOut() {
    Path target = dir.resolve("stall.bin");
    Downloader downloader = Downloader.builder().timeout(Duration.ofMillis(300)).build();

    assertThatThrownBy(() -> downloader.download(url("/stall"), target))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("timeout")
        .hasMessageContaining(url("/stall").toString());
    assertThat(target).doesNotExist();
    assertThat(Downloader.incompleteFile(target)).exists();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void unreachableServersGiveAClearError() throws IOException {
    int port;
    try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    URI dead = URI.create("http://127.0.0.1:" + port + "/file");
    assertThatThrownBy(() -> Downloader.create().download(dead, dir.resolve("d.bin")))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining(dead.toString());
  }

  @Test
  void contentRangeParsing() {
    assertThat(Downloader.parseContentRange("bytes 10-19/20")).containsExactly(10, 19, 20);
    assertThat(Downloader.parseContentRange("bytes 0-0/*")).containsExactly(0, 0, -1);
    assertThat(Downloader.parseContentRange("bytes 10-9/20")).isNull();
    assertThat(Downloader.parseContentRange("bytes 10-20/20")).isNull();
    assertThat(Downloader.parseContentRange("items 1-2/3")).isNull();
    assertThat(Downloader.parseContentRange("")).isNull();
  }

  @Test
  void checksumsRejectMalformedDigests() {
    assertThatThrownBy(() -> Checksum.sha256("abc")).hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> Checksum.sha1("z".repeat(40))).hasMessageContaining("40 hex digits");
    assertThat(Checksum.sha1("A".repeat(40)).hex()).isEqualTo("a".repeat(40));
  }

  @Property(tries = 25)
  void resumingFromAnyPrefixGivesTheSameFile(
      @ForAll @IntRange(min = 0, max = 299_999) int kept, @ForAll boolean rangeHonoured)
      throws IOException {
    honourRange = rangeHonoured;
    Path folder = Files.createTempDirectory("resume");
    try {
      Path target = folder.resolve("f.bin");
      Files.write(Downloader.incompleteFile(target), Arrays.copyOf(CONTENT, kept));
      Downloader.create().download(url("/file"), target, sha256(), null);
      assertThat(Files.mismatch(target, writeExpected(folder))).isEqualTo(-1L);
    } finally {
      honourRange = true;
      try (var files = Files.walk(folder)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Path writeExpected(Path folder) throws IOException {
    return Files.write(folder.resolve("expected.bin"), CONTENT);
  }
}
