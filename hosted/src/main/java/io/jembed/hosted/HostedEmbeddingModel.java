package io.jembed.hosted;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.ConsoleProgressBar;
import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.InputType;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.OutputValue;
import io.jembed.ProgressListener;
import io.jembed.SimilarityFunction;
import io.jembed.Vectors;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * An embedding model behind a hosted API (OpenAI, Voyage AI, Cohere, Ollama or any
 * OpenAI-compatible server). Load it with {@code
 * EmbeddingModel.load("openai:text-embedding-3-small")}.
 *
 * <p>{@code encode} splits the input into requests within the provider's limits, sends them with
 * bounded concurrency, retries 408/409/429/5xx, timeouts and connection failures with exponential
 * backoff and jitter (honouring Retry-After and retry-after-ms), and reassembles the vectors in
 * input order. A failure throws {@link HostedEmbeddingException}, which names the inputs that were
 * embedded. Safe for concurrent use.
 */
public final class HostedEmbeddingModel implements EmbeddingModel {
  private static final int UNKNOWN_MAX_SEQ_LENGTH = 8192;
  private static final String PROBE_TEXT = "dimension probe";
  private static final Pattern KEY_LIKE = Pattern.compile("\\b(sk|pa)-[A-Za-z0-9_*.\\-]{3,}");

  private final HostedConfig config;
  private final HttpClient http;
  private volatile ModelInfo info;
  private volatile boolean closed;

  HostedEmbeddingModel(HostedConfig config) {
    this.config = config;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.timeout())
            .version(
                "http".equals(config.endpoint().getScheme())
                    ? HttpClient.Version.HTTP_1_1
                    : HttpClient.Version.HTTP_2)
            .build();
    Integer dimension = config.dimensions();
    if (dimension == null && config.spec() != null) {
      dimension = config.spec().dimension();
    }
    if (dimension != null) {
      this.info = modelInfo(dimension);
    }
  }

  /** "openai", "voyage", "cohere", "ollama" or "openai-compatible". */
  public String provider() {
    return config.api().scheme;
  }

  /** The URL requests go to. */
  public String endpoint() {
    return config.endpoint().toString();
  }

  /**
   * What this model is. For a model missing from jembed's table of known models (most Ollama and
   * OpenAI-compatible models) and loaded without requested dimensions, the dimension is learned
   * from the first response; if nothing was encoded yet, this sends one short probe request.
   */
  @Override
  public ModelInfo info() {
    ModelInfo current = info;
    if (current == null) {
      fetch(List.of(PROBE_TEXT), InputType.NONE, null);
      current = info;
    }
    return current;
  }

  @Override
  public Embeddings encode(List<String> texts, EncodeOptions options) {
    Objects.requireNonNull(texts, "texts");
    Objects.requireNonNull(options, "options");
    ensureOpen();
    if (options.outputValue() == OutputValue.TOKEN_EMBEDDINGS) {
      throw new IllegalArgumentException(
          "hosted model " + name() + " returns sentence embeddings only, not token embeddings");
    }
    if (options.promptName() != null && options.prompt() == null) {
      throw new IllegalArgumentException(
          "hosted model "
              + name()
              + " has no named prompts (asked for '"
              + options.promptName()
              + "'): pass a literal prompt, or an input type for query/document");
    }
    List<String> inputs = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text == null) {
        throw new IllegalArgumentException("text at index " + i + " is null");
      }
      if (options.prompt() != null) {
        text = options.prompt() + text;
      }
      if (config.api() == HostedApi.OPENAI && text.isEmpty()) {
        throw new IllegalArgumentException(
            "text at index " + i + " is empty: OpenAI rejects empty strings (" + name() + ")");
      }
      inputs.add(text);
    }
    ProgressListener listener = options.progressListener();
    ConsoleProgressBar bar = options.showProgressBar() ? new ConsoleProgressBar("Embedding") : null;
    Fetched fetched;
    try {
      fetched = fetch(inputs, options.inputType(), combine(listener, bar));
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
    ModelInfo base = info();
    ModelInfo out = base.withOptions(options);
    float[][] vectors = fetched.vectors();
    for (int i = 0; i < vectors.length; i++) {
      if (vectors[i].length > out.dimension()) {
        vectors[i] = Arrays.copyOf(vectors[i], out.dimension());
      }
      if (out.normalized()) {
        Vectors.normalizeInPlace(vectors[i]);
      }
    }
    return new Embeddings(
        out,
        vectors,
        options.precision(),
        Quantization.quantize(vectors, options.precision()),
        null,
        null,
        fetched.tokens(),
        null);
  }

  /** An estimate (jembed ships no provider tokenizers): see the hosted docs. */
  @Override
  public int countTokens(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    return TokenEstimator.estimate(text);
  }

  @Override
  public void close() {
    closed = true;
    http.shutdownNow();
  }

  @Override
  public String toString() {
    return "HostedEmbeddingModel[" + name() + " at " + config.endpoint() + "]";
  }

  private record Fetched(float[][] vectors, long tokens) {}

  /** Why one request failed for good. */
  private static final class RequestFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String providerMessage;

    RequestFailure(String message, int status, String providerMessage, Throwable cause) {
      super(message, cause);
      this.status = status;
      this.providerMessage = providerMessage;
    }
  }

  private Fetched fetch(List<String> inputs, InputType inputType, ProgressListener listener) {
    int n = inputs.size();
    float[][] out = new float[n][];
    if (n == 0) {
      info(); // the caller's Embeddings needs the dimension
      return new Fetched(out, 0);
    }
    int[] estimates = inputs.stream().mapToInt(TokenEstimator::estimate).toArray();
    List<BatchPlanner.Batch> batches =
        BatchPlanner.plan(estimates, maxInputsPerRequest(), maxTokensPerRequest());
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong tokens = new AtomicLong();
    AtomicLong done = new AtomicLong();
    int workers = Math.min(config.settings().maxConcurrency(), batches.size());
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        futures.add(
            executor.submit(
                () -> {
                  // workers take batches in input order; after a failure none starts
                  while (failure.get() == null && !closed) {
                    int b = next.getAndIncrement();
                    if (b >= batches.size()) {
                      return;
                    }
                    BatchPlanner.Batch batch = batches.get(b);
                    try {
                      Wire.Parsed parsed =
                          send(inputs.subList(batch.start(), batch.end()), inputType);
                      System.arraycopy(parsed.vectors(), 0, out, batch.start(), batch.size());
                      tokens.addAndGet(parsed.tokens());
                      long now = done.addAndGet(batch.size());
                      if (listener != null) {
                        synchronized (listener) {
                          listener.progress(now, n);
                        }
                      }
                    } catch (Throwable t) {
                      failure.compareAndSet(null, t);
                      return;
                    }
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
      failure.compareAndSet(null, e);
    } catch (ExecutionException e) {
      failure.compareAndSet(null, e.getCause());
    } finally {
      executor.close();
    }
    Throwable t = failure.get();
    if (t == null && closed) {
      t = new IllegalStateException("the model was closed");
    }
    if (t != null) {
      throw partialFailure(t, out, tokens.get());
    }
    return new Fetched(out, tokens.get());
  }

  private HostedEmbeddingException partialFailure(Throwable t, float[][] out, long tokens) {
    int status = t instanceof RequestFailure rf ? rf.status : 0;
    String providerMessage = t instanceof RequestFailure rf ? rf.providerMessage : "";
    String reason =
        t instanceof RequestFailure
            ? t.getMessage()
            : t instanceof InterruptedException
                ? "interrupted"
                : redact(String.valueOf(t.getMessage()));
    int succeeded = 0;
    for (float[] v : out) {
      if (v != null) {
        succeeded++;
      }
    }
    String message =
        name()
            + " failed: "
            + reason
            + ". "
            + succeeded
            + " of "
            + out.length
            + " inputs were embedded"
            + (succeeded == 0 ? "" : " (" + ranges(out, true) + "); failed: " + ranges(out, false))
            + (succeeded == 0 ? "" : "; their vectors are in HostedEmbeddingException");
    return new HostedEmbeddingException(
        message,
        config.api().scheme,
        config.model(),
        status,
        providerMessage,
        out,
        tokens,
        t instanceof RequestFailure ? t.getCause() : t);
  }

  private static String ranges(float[][] out, boolean present) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    int shown = 0;
    while (i < out.length) {
      if ((out[i] != null) != present) {
        i++;
        continue;
      }
      int start = i;
      while (i < out.length && (out[i] != null) == present) {
        i++;
      }
      if (shown++ == 8) {
        sb.append(", ...");
        break;
      }
      if (!sb.isEmpty()) {
        sb.append(", ");
      }
      sb.append(i - start == 1 ? "index " + start : "indexes " + start + "-" + (i - 1));
    }
    return sb.toString();
  }

  /** One request with its retries. */
  private Wire.Parsed send(List<String> texts, InputType inputType) throws RequestFailure {
    byte[] body;
    try {
      body =
          Wire.JSON.writeValueAsBytes(
              Wire.request(
                  config.api(),
                  config.model(),
                  texts,
                  inputType,
                  config.dimensions(),
                  config.settings()));
    } catch (JsonProcessingException e) {
      throw new RequestFailure("could not write the request: " + e.getMessage(), 0, "", e);
    }
    int maxRetries = config.settings().maxRetries();
    for (int attempt = 0; ; attempt++) {
      boolean retriesLeft = attempt < maxRetries;
      String tries = attempt == 0 ? "" : " (after " + (attempt + 1) + " attempts)";
      HttpResponse<byte[]> response;
      try {
        response = http.send(request(body), HttpResponse.BodyHandlers.ofByteArray());
      } catch (HttpTimeoutException e) {
        if (retriesLeft) {
          pause(backoff(attempt));
          continue;
        }
        throw new RequestFailure(
            "no response from " + config.endpoint() + " within " + config.timeout() + tries,
            0,
            "",
            null);
      } catch (IOException e) {
        if (retriesLeft && !closed) {
          pause(backoff(attempt));
          continue;
        }
        throw new RequestFailure(
            "could not reach "
                + config.endpoint()
                + ": "
                + redact(String.valueOf(e.getMessage()))
                + tries,
            0,
            "",
            null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RequestFailure("interrupted", 0, "", e);
      }
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return parse(response.body(), texts.size());
      }
      String providerMessage = providerMessage(response.body());
      boolean retryable = status == 408 || status == 409 || status == 429 || status >= 500;
      if (retryable && retriesLeft) {
        Optional<Duration> retryAfter = retryAfter(response.headers());
        if (retryAfter.isPresent()
            && retryAfter.get().compareTo(config.settings().maxRetryAfter()) > 0) {
          throw new RequestFailure(
              explain(status, providerMessage)
                  + "; the server asks to retry after "
                  + retryAfter.get().toSeconds()
                  + " s, longer than the "
                  + config.settings().maxRetryAfter().toSeconds()
                  + " s jembed waits (property max-retry-after-ms)",
              status,
              providerMessage,
              null);
        }
        pause(retryAfter.orElse(backoff(attempt)));
        continue;
      }
      throw new RequestFailure(
          explain(status, providerMessage) + (retryable ? tries : ""),
          status,
          providerMessage,
          null);
    }
  }

  private HttpRequest request(byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(config.endpoint())
            .timeout(config.timeout())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("User-Agent", "jembed-hosted")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (config.apiKey() != null) {
      b.header("Authorization", "Bearer " + config.apiKey());
    }
    return b.build();
  }

  private Wire.Parsed parse(byte[] body, int expected) throws RequestFailure {
    JsonNode json;
    try {
      json = Wire.JSON.readTree(body);
    } catch (IOException e) {
      throw new RequestFailure(
          "the response is not valid JSON: " + snippet(body), 200, snippet(body), null);
    }
    Wire.Parsed parsed;
    try {
      parsed = Wire.parse(config.api(), json);
    } catch (Wire.BadResponse e) {
      throw new RequestFailure("unexpected response: " + e.getMessage(), 200, "", null);
    }
    float[][] vectors = parsed.vectors();
    if (vectors.length != expected) {
      throw new RequestFailure(
          "the response has " + vectors.length + " vectors for " + expected + " inputs",
          200,
          "",
          null);
    }
    int dimension = vectors[0].length;
    for (float[] v : vectors) {
      if (v.length != dimension) {
        throw new RequestFailure(
            "the response mixes " + dimension + "- and " + v.length + "-dimensional vectors",
            200,
            "",
            null);
      }
    }
    ModelInfo known = learn(dimension);
    if (known.dimension() != dimension) {
      throw new RequestFailure(
          "the response has "
              + dimension
              + "-dimensional vectors, expected "
              + known.dimension()
              + (config.dimensions() == null ? "" : " (the requested dimensions)"),
          200,
          "",
          null);
    }
    return parsed;
  }

  private synchronized ModelInfo learn(int dimension) {
    if (info == null) {
      info = modelInfo(dimension);
    }
    return info;
  }

  private ModelInfo modelInfo(int dimension) {
    ModelSpec spec = config.spec();
    return new ModelInfo(
        config.api().scheme,
        config.model(),
        config.revision(),
        dimension,
        spec == null ? UNKNOWN_MAX_SEQ_LENGTH : spec.maxSeqLength(),
        spec == null ? config.api().defaultNormalized : spec.normalized(),
        SimilarityFunction.COSINE,
        Map.of(),
        null);
  }

  private int maxInputsPerRequest() {
    Integer configured = config.settings().maxInputsPerRequest();
    int limit = config.api().maxInputsPerRequest;
    if (config.api() == HostedApi.OLLAMA || config.api() == HostedApi.OPENAI_COMPATIBLE) {
      return configured == null ? limit : configured; // no documented cap: the user decides
    }
    return configured == null ? limit : Math.min(configured, limit);
  }

  private long maxTokensPerRequest() {
    if (config.settings().maxTokensPerRequest() != null) {
      return config.settings().maxTokensPerRequest();
    }
    long cap =
        config.spec() != null
            ? config.spec().maxTokensPerRequest()
            : config.api().defaultMaxTokensPerRequest;
    // token counts are estimates: keep 10 % headroom below a documented cap
    return cap == Long.MAX_VALUE ? cap : cap - cap / 10;
  }

  private Duration backoff(int attempt) {
    long initial = config.settings().initialBackoff().toMillis();
    long max = config.settings().maxBackoff().toMillis();
    double base = Math.min(max, initial * Math.pow(2, Math.min(attempt, 30)));
    double jitter = 1 - 0.25 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis(Math.round(base * jitter));
  }

  private void pause(Duration duration) throws RequestFailure {
    try {
      config.sleeper().sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestFailure("interrupted", 0, "", e);
    }
  }

  /** retry-after-ms (OpenAI) wins over Retry-After (seconds or an HTTP date). */
  static Optional<Duration> retryAfter(HttpHeaders headers) {
    Optional<String> ms = headers.firstValue("retry-after-ms");
    if (ms.isPresent()) {
      try {
        double value = Double.parseDouble(ms.get().trim());
        if (value >= 0 && Double.isFinite(value)) {
          return Optional.of(Duration.ofMillis(Math.round(value)));
        }
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    Optional<String> header = headers.firstValue("retry-after");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().trim();
    try {
      double seconds = Double.parseDouble(value);
      if (seconds >= 0 && Double.isFinite(seconds)) {
        return Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
      }
      return Optional.empty();
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (RuntimeException unparsable) {
        return Optional.empty();
      }
    }
  }

  private String explain(int status, String providerMessage) {
    String provider = config.api().displayName;
    String what =
        switch (status) {
          case 400 -> provider + " rejected the request";
          case 401 ->
              provider
                  + " rejected the API key"
                  + (config.api().keyVariables.isEmpty()
                      ? ""
                      : " (check " + config.api().keyVariables.get(0) + " or --api-key)");
          case 403 -> provider + " denied access to the model or endpoint";
          case 404 -> provider + " knows no such model or endpoint (check the name and base URL)";
          case 408 -> provider + " timed out the request";
          case 413 -> provider + " found the request too large";
          case 422 -> provider + " could not process the request";
          case 429 -> provider + " rate limit or quota exceeded";
          default ->
              status >= 500 ? provider + " had a server error" : provider + " refused the request";
        };
    return "HTTP "
        + status
        + ", "
        + what
        + (providerMessage.isEmpty() ? "" : ": " + providerMessage);
  }

  private String providerMessage(byte[] body) {
    try {
      String message = Wire.errorMessage(Wire.JSON.readTree(body));
      if (message != null) {
        return redact(message);
      }
    } catch (IOException | RuntimeException notJson) {
      // a proxy's HTML page or plain text: show its start
    }
    return snippet(body);
  }

  private String snippet(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
    if (text.length() > 200) {
      text = text.substring(0, 200) + "...";
    }
    return redact(text);
  }

  /** Removes the API key, and anything shaped like one, from text that may reach a user. */
  String redact(String text) {
    String key = config.apiKey();
    if (key != null && !key.isEmpty()) {
      text = text.replace(key, "***");
    }
    return KEY_LIKE.matcher(text).replaceAll("$1-***");
  }

  private String name() {
    return config.api().scheme + ":" + config.model();
  }

  private void ensureOpen() {
    if (closed) {
      throw new JembedException("model " + name() + " is closed");
    }
  }

  private static ProgressListener combine(ProgressListener a, ProgressListener b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return (done, total) -> {
      a.progress(done, total);
      b.progress(done, total);
    };
  }
}
