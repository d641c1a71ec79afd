package io.jembed.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Counters, gauges and histograms of one server, written as Prometheus text. */
final class Metrics {
  private static final double[] SECONDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };
  private static final double[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
  private static final double[] TOKENS = {
    16, 64, 256, 1024, 2048, 4096, 8192, 16_384, 32_768, 65_536, 131_072
  };

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
  private final Map<String, Histogram> histograms = new ConcurrentHashMap<>();
  private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();
  private final LongAdder inputs = new LongAdder();
  private final LongAdder tokens = new LongAdder();
  private final LongAdder truncated = new LongAdder();

  void request(String endpoint, int status) {
    requests
        .computeIfAbsent(
            "endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new LongAdder())
        .increment();
  }

  void error(String kind) {
    errors.computeIfAbsent("kind=\"" + kind + "\"", k -> new LongAdder()).increment();
  }

  /** Inputs taken out of the queue unencoded: their client left, their deadline passed... */
  void dropped(String model, String reason, long inputCount) {
    if (inputCount > 0) {
      dropped
          .computeIfAbsent(
              "model=\"" + escape(model) + "\",reason=\"" + reason + "\"", k -> new LongAdder())
          .add(inputCount);
    }
  }

  void encoded(long inputCount, long tokenCount, long truncatedCount) {
    inputs.add(inputCount);
    tokens.add(tokenCount);
    truncated.add(truncatedCount);
  }

  /** Latency of one stage (queue, inference, request) for one model or endpoint. */
  void latency(String stage, String label, long nanos) {
    histogram("jembed_latency_seconds", "stage=\"" + stage + "\"," + label, SECONDS)
        .observe(nanos / 1e9);
  }

  void batch(String model, int size, int tokenCount) {
    String label = "model=\"" + escape(model) + "\"";
    histogram("jembed_batch_size", label, SIZES).observe(size);
    histogram("jembed_batch_tokens", label, TOKENS).observe(tokenCount);
  }

  void gauge(String nameAndLabels, LongSupplier value) {
    gauges.put(nameAndLabels, value);
  }

  static String escape(String labelValue) {
    return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private Histogram histogram(String name, String labels, double[] bounds) {
    return histograms.computeIfAbsent(name + "\u0000" + labels, k -> new Histogram(bounds));
  }

  String render() {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("# HELP jembed_requests_total HTTP requests by endpoint and status.\n");
    sb.append("# TYPE jembed_requests_total counter\n");
    new TreeMap<>(requests)
        .forEach(
            (k, v) ->
                sb.append("jembed_requests_total{")
                    .append(k)
                    .append("} ")
                    .append(v.sum())
                    .append('\n'));
    sb.append("# HELP jembed_errors_total Failed requests by kind.\n");
    sb.append("# TYPE jembed_errors_total counter\n");
    new TreeMap<>(errors)
        .forEach(
            (k, v) ->
                sb.append("jembed_errors_total{")
                    .append(k)
                    .append("} ")
                    .append(v.sum())
                    .append('\n'));
    sb.append("# HELP jembed_dropped_inputs_total Inputs dropped before encoding, by reason.\n");
    sb.append("# TYPE jembed_dropped_inputs_total counter\n");
    new TreeMap<>(dropped)
        .forEach(
            (k, v) ->
                sb.append("jembed_dropped_inputs_total{")
                    .append(k)
                    .append("} ")
                    .append(v.sum())
                    .append('\n'));
    sb.append("# HELP jembed_inputs_total Texts encoded.\n# TYPE jembed_inputs_total counter\n");
    sb.append("jembed_inputs_total ").append(inputs.sum()).append('\n');
    sb.append("# HELP jembed_tokens_total Tokens encoded.\n# TYPE jembed_tokens_total counter\n");
    sb.append("jembed_tokens_total ").append(tokens.sum()).append('\n');
    sb.append("# HELP jembed_truncated_inputs_total Inputs cut to the model's maximum length.\n");
    sb.append("# TYPE jembed_truncated_inputs_total counter\n");
    sb.append("jembed_truncated_inputs_total ").append(truncated.sum()).append('\n');
    Map<String, Map<String, LongSupplier>> gaugesByName = new TreeMap<>();
    gauges.forEach(
        (k, v) -> {
          int brace = k.indexOf('{');
          String name = brace < 0 ? k : k.substring(0, brace);
          gaugesByName.computeIfAbsent(name, n -> new TreeMap<>()).put(k, v);
        });
    gaugesByName.forEach(
        (name, series) -> {
          sb.append("# TYPE ").append(name).append(" gauge\n");
          series.forEach((k, v) -> sb.append(k).append(' ').append(v.getAsLong()).append('\n'));
        });
    Map<String, Map<String, Histogram>> byName = new TreeMap<>();
    histograms.forEach(
        (k, v) -> {
          int sep = k.indexOf('\u0000');
          byName
              .computeIfAbsent(k.substring(0, sep), n -> new TreeMap<>())
              .put(k.substring(sep + 1), v);
        });
    byName.forEach(
        (name, series) -> {
          sb.append("# TYPE ").append(name).append(" histogram\n");
          series.forEach((labels, h) -> h.render(sb, name, labels));
        });
    return sb.toString();
  }

  /** A fixed-bucket histogram; lock-free. */
  static final class Histogram {
    private final double[] bounds;
    private final LongAdder[] counts;
    private final LongAdder count = new LongAdder();
    private final java.util.concurrent.atomic.DoubleAdder sum =
        new java.util.concurrent.atomic.DoubleAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.counts = new LongAdder[bounds.length];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(double value) {
      for (int i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          counts[i].increment();
          break;
        }
      }
      count.increment();
      sum.add(value);
    }

    void render(StringBuilder sb, String name, String labels) {
      long cumulative = 0;
      String prefix = labels.isEmpty() ? "" : labels + ",";
      for (int i = 0; i < bounds.length; i++) {
        cumulative += counts[i].sum();
        sb.append(name)
            .append("_bucket{")
            .append(prefix)
            .append("le=\"")
            .append(format(bounds[i]))
            .append("\"} ")
            .append(cumulative)
            .append('\n');
      }
      long total = count.sum();
      sb.append(name)
          .append("_bucket{")
          .append(prefix)
          .append("le=\"+Inf\"} ")
          .append(total)
          .append('\n');
      sb.append(name).append("_sum{").append(labels).append("} ").append(sum.sum()).append('\n');
      sb.append(name).append("_count{").append(labels).append("} ").append(total).append('\n');
    }

    private static String format(double v) {
      return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
  }
}
