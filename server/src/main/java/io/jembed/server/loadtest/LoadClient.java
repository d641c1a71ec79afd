package io.jembed.server.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.server.loadtest.LoadStats.Latencies;
import io.jembed.server.loadtest.LoadStats.Statuses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load test's clients: requests of STS sentences to {@code POST /v1/embeddings} (base64, as the
 * Python OpenAI client asks), answers checked for the model's dimension, results counted.
 */
final class LoadClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<String> sentences;
  private final String apiKey;
  private final Duration clientTimeout;
  private volatile URI base;
  private volatile int dimension;
  private volatile String lastRefusal = "";

  /**
   * @param dimension the model's, or -1 to take the first answer's
   * @param clientTimeout how long a client waits before it gives up and hangs up
   */
  LoadClient(
      List<String> sentences, URI base, String apiKey, int dimension, Duration clientTimeout) {
    this.sentences = sentences;
    this.base = base;
    this.apiKey = apiKey;
    this.dimension = dimension;
    this.clientTimeout = clientTimeout;
  }

  HttpClient http() {
    return http;
  }

  URI base() {
    return base;
  }

  void base(URI base) {
    this.base = base;
  }

  /** The latest refusal's message, to show why the server refused. */
  String lastRefusal() {
    return lastRefusal;
  }

  private final AtomicLong next = new AtomicLong();

  String body(int count) {
    List<String> in = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      in.add(sentences.get((int) (next.getAndIncrement() % sentences.size())));
    }
    try {
      return JSON.writeValueAsString(
          Map.of("input", count == 1 ? in.get(0) : in, "encoding_format", "base64"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One answer: its status, whether it carried Retry-After, and its body's vector count. */
  record Answer(int status, boolean retryAfter, int vectors) {}

  Answer post(String json, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve("/v1/embeddings"))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    try {
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      boolean retryAfter = r.headers().firstValue("Retry-After").isPresent();
      if (r.statusCode() != 200) {
        if (r.statusCode() == 429 || r.statusCode() == 503) {
          lastRefusal = JSON.readTree(r.body()).at("/error/message").asText();
        }
        return new Answer(r.statusCode(), retryAfter, 0);
      }
      JsonNode vectors = JSON.readTree(r.body()).get("data");
      for (JsonNode v : vectors) {
        int length = Base64.getDecoder().decode(v.get("embedding").asText()).length / 4;
        if (dimension < 0) {
          dimension = length;
        }
        if (length != dimension) {
          return new Answer(-2, false, 0); // a wrong answer
        }
      }
      return new Answer(200, false, vectors.size());
    } catch (HttpTimeoutException e) {
      return new Answer(0, false, 0); // the client gave up and hung up
    } catch (IOException e) {
      return new Answer(-1, false, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, false, 0);
    }
  }

  /**
   * Latency of one one-sentence request in nanoseconds, negative when it was not answered 200;
   * counted in {@code statuses} if given.
   */
  long probe(Statuses statuses) {
    long t0 = System.nanoTime();
    Answer a = post(body(1), Duration.ofSeconds(60));
    long took = System.nanoTime() - t0;
    if (statuses != null) {
      statuses.add(a.status);
    }
    return a.status == 200 ? took : -took;
  }

  /** Results of one phase. */
  static final class Run {
    final Latencies ok = new Latencies();
    final Latencies refused = new Latencies();
    final Statuses statuses = new Statuses();
    final LongAdder inputs = new LongAdder();
    final LongAdder refusedWithRetryAfter = new LongAdder();
    double seconds;

    double inputsPerSecond() {
      return inputs.sum() / seconds;
    }
  }

  /** Each client sends {@code perRequest} sentences per request, back to back. */
  Run closedLoop(int clientCount, int forSeconds, int perRequest) {
    Run run = new Run();
    long t0 = System.nanoTime();
    long deadline = t0 + forSeconds * 1_000_000_000L;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clientCount; c++) {
        pool.submit(
            () -> {
              while (System.nanoTime() < deadline) {
                long start = System.nanoTime();
                Answer a = post(body(perRequest), clientTimeout);
                record(run, a, System.nanoTime() - start, System.nanoTime() <= deadline);
                if (a.status == 429 || a.status == 503) {
                  Thread.sleep(50); // a polite client backs off a little
                }
              }
              return null;
            });
      }
    }
    run.seconds = forSeconds;
    return run;
  }

  void record(Run run, Answer a, long nanos, boolean inWindow) {
    run.statuses.add(a.status);
    if (a.status == 200) {
      run.ok.add(nanos);
      if (inWindow && nanos <= clientTimeout.toNanos()) {
        run.inputs.add(a.vectors);
      }
    } else if (a.status == 429 || a.status == 503) {
      run.refused.add(nanos);
      if (a.retryAfter) {
        run.refusedWithRetryAfter.increment();
      }
    }
  }
}
