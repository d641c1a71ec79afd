package io.jembed.spark.bench;

import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.LoadOptions;
import io.jembed.spark.EmbedMetrics;
import io.jembed.spark.JembedEmbedder;
import io.jembed.toolkit.eval.StsDataset;
import io.jembed.toolkit.eval.StsPair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows per second of the Spark path ({@link JembedEmbedder} in local[N], written to Spark's no-op
 * sink) against jembed's own encode of the same texts in one process on the same N cores, back to
 * back in each round, in one JVM. Texts: both sentence columns of the STS-B test set, repeated to
 * --rows.
 *
 * <pre>
 * java -cp ... io.jembed.spark.bench.SparkBenchmark --shared ../shared --rows 20000 --rounds 3
 * </pre>
 */
public final class SparkBenchmark {
  private SparkBenchmark() {}

  public static void main(String[] args) {
    String shared = "../shared";
    String model = "all-MiniLM-L6-v2";
    int rows = 20_000;
    int rounds = 3;
    int batchSize = 32;
    List<Integer> coreCounts = List.of(1, 2);
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--shared" -> shared = value;
        case "--model" -> model = value;
        case "--rows" -> rows = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        case "--batch-size" -> batchSize = Integer.parseInt(value);
        case "--cores" ->
            coreCounts = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
      i++;
    }
    List<String> texts = corpus(Path.of(shared, "data", "sts-test.csv"), rows);
    System.out.printf(
        Locale.ROOT,
        "%s, %,d texts (STS-B test sentences repeated), batch size %d, %d rounds (median)%n",
        model,
        texts.size(),
        batchSize,
        rounds);
    System.out.println(
        "| cores | jembed encode, rows/s | Spark local[N], rows/s | Spark / encode |"
            + " model load on the executor | session start |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (int cores : coreCounts) {
      Result r = measure(model, texts, cores, batchSize, rounds);
      System.out.printf(
          Locale.ROOT,
          "| %d | %,.0f | %,.0f | %.2f | %,d ms | %,d ms |%n",
          cores,
          r.encodeRowsPerSecond(),
          r.sparkRowsPerSecond(),
          r.ratio(),
          r.modelLoadMillis(),
          r.sessionStartMillis());
    }
  }

  static List<String> corpus(Path sts, int rows) {
    List<String> sentences = new ArrayList<>();
    for (StsPair pair : StsDataset.read(sts)) {
      sentences.add(pair.sentence1());
      sentences.add(pair.sentence2());
    }
    List<String> texts = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      texts.add(sentences.get(i % sentences.size()));
    }
    return texts;
  }

  /**
   * @param ratio median over rounds of (Spark rate / encode rate) measured back to back
   */
  record Result(
      double encodeRowsPerSecond,
      double sparkRowsPerSecond,
      double ratio,
      long modelLoadMillis,
      long sessionStartMillis) {}

  /**
   * Round by round on {@code cores} cores: jembed's own encode in this process (the reference),
   * then the transformer in local[cores] on an in-memory, cached input into the no-op sink.
   */
  static Result measure(String name, List<String> texts, int cores, int batchSize, int rounds) {
    long start = System.nanoTime();
    SparkSession spark =
        SparkSession.builder()
            .master("local[" + cores + "]")
            .appName("jembed-spark-benchmark")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    long sessionStart = (System.nanoTime() - start) / 1_000_000;
    spark.sparkContext().setLogLevel("WARN");
    EncodeOptions options = EncodeOptions.builder().batchSize(batchSize).build();
    try (EmbeddingModel own =
        EmbeddingModel.load(name, LoadOptions.builder().threads(cores).build())) {
      StructType schema =
          new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType);
      List<Row> rows = new ArrayList<>(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        rows.add(RowFactory.create((long) i, texts.get(i)));
      }
      Dataset<Row> input = spark.createDataFrame(rows, schema).repartition(cores * 4).cache();
      input.count();
      JembedEmbedder embedder = new JembedEmbedder().setModelName(name).setBatchSize(batchSize);
      // the model loads on the executor once; the rounds then measure encoding only
      embedder.transform(input.limit(2000)).write().format("noop").mode("overwrite").save();
      EmbedMetrics first = embedder.lastMetrics();
      own.encode(texts.subList(0, Math.min(2000, texts.size())), options);
      double[] encodeRates = new double[rounds];
      double[] sparkRates = new double[rounds];
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        own.encode(texts, options);
        encodeRates[r] = texts.size() / ((System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();
        embedder.transform(input).write().format("noop").mode("overwrite").save();
        sparkRates[r] = texts.size() / ((System.nanoTime() - t1) / 1e9);
        if (embedder.lastMetrics().embedded() != texts.size()) {
          throw new IllegalStateException(
              "embedded " + embedder.lastMetrics().embedded() + " of " + texts.size());
        }
        ratios[r] = sparkRates[r] / encodeRates[r];
        System.err.printf(
            Locale.ROOT,
            "local[%d] round %d: encode %,.0f rows/s, Spark %,.0f rows/s%n",
            cores,
            r + 1,
            encodeRates[r],
            sparkRates[r]);
      }
      return new Result(
          median(encodeRates),
          median(sparkRates),
          median(ratios),
          first.modelLoadMillis(),
          sessionStart);
    } finally {
      spark.stop();
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
