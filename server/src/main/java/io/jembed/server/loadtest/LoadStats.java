package io.jembed.server.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/** What the load test records: latencies by outcome, counts by status, server metrics, memory. */
final class LoadStats {
  private LoadStats() {}

  /** Latencies of one kind of outcome, in nanoseconds. */
  static final class Latencies {
    private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
    private long[] sorted;

    void add(long n) {
      nanos.add(n);
      sorted = null;
    }

    int count() {
      return nanos.size();
    }

    /** Milliseconds at quantile {@code p} (0..1), NaN when empty. */
    double ms(double p) {
      if (sorted == null) {
        sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      }
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
      return sorted[Math.max(0, i)] / 1e6;
    }

    String summary() {
      return String.format(
          Locale.ROOT, "p50 %.0f ms, p99 %.0f ms, max %.0f ms", ms(0.5), ms(0.99), ms(1));
    }
  }

  /** Answers counted by HTTP status (-1: connection failed, 0: the client gave up waiting). */
  static final class Statuses {
    private final Map<Integer, LongAdder> counts = new ConcurrentHashMap<>();

    void add(int status) {
      counts.computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    long get(int status) {
      LongAdder a = counts.get(status);
      return a == null ? 0 : a.sum();
    }

    @Override
    public String toString() {
      Map<Integer, Long> out = new TreeMap<>();
      counts.forEach((k, v) -> out.put(k, v.sum()));
      return out.toString();
    }
  }

  /** The server's Prometheus text, as sample name with labels to value. */
  static Map<String, Double> scrape(HttpClient http, URI base, String apiKey) {
    Map<String, Double> out = new TreeMap<>();
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/metrics"));
      if (apiKey != null) {
        b.header("Authorization", "Bearer " + apiKey);
      }
      String body = http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
      for (String line : body.split("\n")) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int space = line.lastIndexOf(' ');
        try {
          out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        } catch (NumberFormatException e) {
          // not a sample
        }
      }
    } catch (IOException e) {
      // no metrics: the caller prints n/a
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /**
   * Sum of the samples whose name (with labels) starts with {@code prefix} and contains all of
   * {@code parts}.
   */
  static double sum(Map<String, Double> metrics, String prefix, String... parts) {
    double s = 0;
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      if (e.getKey().startsWith(prefix) && Arrays.stream(parts).allMatch(e.getKey()::contains)) {
        s += e.getValue();
      }
    }
    return s;
  }

  /** Peak resident memory and Java heap of a process while sampling runs. */
  static final class MemorySampler implements AutoCloseable {
    private final long pid;
    private final boolean self;
    private volatile long peakRss;
    private volatile long peakHeap;
    private final Thread thread;
    private volatile boolean running = true;

    MemorySampler(long pid) {
      this.pid = pid;
      this.self = pid == ProcessHandle.current().pid();
      this.thread = Thread.ofPlatform().daemon(true).start(this::run);
    }

    private void run() {
      while (running) {
        peakRss = Math.max(peakRss, rssBytes(pid));
        if (self) {
          peakHeap =
              Math.max(
                  peakHeap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    long peakRssMb() {
      return peakRss >> 20;
    }

    /** Peak heap used in MB, or -1 when the server runs in another process. */
    long peakHeapMb() {
      return self ? peakHeap >> 20 : -1;
    }

    @Override
    public void close() {
      running = false;
      thread.interrupt();
    }
  }

  /** VmRSS of a process from /proc, or 0 where there is none. */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or gone
    }
    return 0;
  }
}
