package io.jembed.server.loadtest;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Connections that hold a server up: some send their headers and one byte of a promised body, the
 * others drip their headers one byte a second. Records when the server cuts each one.
 */
final class SlowClients implements AutoCloseable {
  private final List<Socket> sockets = new ArrayList<>();
  private final List<Long> openedAt = new ArrayList<>();
  private final List<Socket> drippers = new ArrayList<>();
  private final Map<String, Integer> answers = new ConcurrentHashMap<>();
  private final long[] cutAfter;
  private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
  private final Thread drip;
  private volatile boolean closing;

  private SlowClients(URI base, int halfBodies, int slowHeaders) throws IOException {
    String host = base.getHost();
    int port = base.getPort();
    for (int i = 0; i < halfBodies + slowHeaders; i++) {
      Socket s = new Socket(host, port);
      String start =
          i < halfBodies
              ? "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 100\r\n\r\n{"
              : "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\n";
      s.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      sockets.add(s);
      openedAt.add(System.nanoTime());
      if (i >= halfBodies) {
        drippers.add(s);
      }
    }
    cutAfter = new long[sockets.size()];
    for (int i = 0; i < sockets.size(); i++) {
      int k = i;
      readers.submit(() -> awaitAnswer(k));
    }
    drip = Thread.ofPlatform().daemon(true).start(this::dripHeaders);
  }

  /** Reads what the server sends until it closes the connection, and when. */
  private void awaitAnswer(int k) {
    Socket s = sockets.get(k);
    String line;
    try {
      s.setSoTimeout(120_000);
      InputStream in = s.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      line = text.isEmpty() ? "closed without an answer" : text.lines().findFirst().get();
    } catch (java.net.SocketTimeoutException e) {
      line = "still open after 120 s";
    } catch (IOException e) {
      line = closing ? "still open" : "reset";
    }
    cutAfter[k] = System.nanoTime() - openedAt.get(k);
    answers.merge(line, 1, Integer::sum);
  }

  static SlowClients open(URI base, int halfBodies, int slowHeaders) throws IOException {
    return new SlowClients(base, halfBodies, slowHeaders);
  }

  private void dripHeaders() {
    while (!closing) {
      for (Socket s : drippers) {
        try {
          s.getOutputStream().write('X');
          s.getOutputStream().flush();
        } catch (IOException e) {
          // cut by the server
        }
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Waits until the server has closed every connection (at most {@code limit}); a summary. */
  String awaitCut(Duration limit) throws InterruptedException {
    readers.shutdown();
    boolean all = readers.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS);
    if (!all) {
      return "not every slow connection was cut within " + limit.toSeconds() + " s: " + answers;
    }
    long[] sorted = cutAfter.clone();
    java.util.Arrays.sort(sorted);
    return String.format(
        Locale.ROOT,
        "%d connections cut after %.1f s (first) to %.1f s (last); answers %s",
        sockets.size(),
        sorted[0] / 1e9,
        sorted[sorted.length - 1] / 1e9,
        new TreeMap<>(answers));
  }

  @Override
  public void close() throws InterruptedException {
    closing = true;
    drip.interrupt();
    drip.join(TimeUnit.SECONDS.toMillis(5));
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }
    readers.shutdownNow();
  }
}
