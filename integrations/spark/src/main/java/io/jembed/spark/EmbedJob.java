package io.jembed.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

import io.jembed.JembedException;
import io.jembed.ModelInfo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The spark-submit job: reads text, JSON Lines or Parquet, embeds each row's text on the executors
 * and writes Parquet ({@code id}, {@code vector}, {@code error}, and {@code text} on request; the
 * model recorded in the files' metadata), a jembed store, or both. Prints what it did. Exit codes:
 * 0 done, 1 failed, 2 bad arguments.
 *
 * <pre>
 * spark-submit --class io.jembed.spark.EmbedJob jembed-spark-job.jar \
 *     --input s3a://corpus/docs.jsonl --output s3a://corpus/vectors.parquet --model bge-small-en-v1.5
 * </pre>
 */
@Command(
    name = "jembed-spark",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Embeds a text, JSON Lines or Parquet input on Spark into Parquet or a jembed store.")
public final class EmbedJob implements Callable<Integer> {
  static final String VECTOR = "vector";
  static final String ERROR = "error";

  @Option(names = "--input", required = true, description = "file or folder to read")
  String input;

  @Option(
      names = "--format",
      description = "text (a row per line), jsonl or parquet; default: from the extension")
  String format;

  @Option(
      names = "--text-column",
      defaultValue = "text",
      description = "JSON field or Parquet column with the text (default: ${DEFAULT-VALUE})")
  String textColumn;

  @Option(
      names = "--id-column",
      description =
          "JSON field or Parquet column with the id (default: id when present, else"
              + " the row's position)")
  String idColumn;

  @Option(names = "--output", description = "Parquet folder to write")
  String output;

  @Option(names = "--store", description = "jembed store to upsert into (a Lucene index folder)")
  String store;

  @Option(
      names = "--store-writes",
      description =
          "driver (default for a folder) or executors (each partition upserts and commits)")
  String storeWrites;

  @Option(names = "--overwrite", description = "replace an existing Parquet output")
  boolean overwrite;

  @Option(
      names = {"-m", "--model"},
      defaultValue = "all-MiniLM-L6-v2",
      description = "bundled name, folder, Hub id or hosted model (default: ${DEFAULT-VALUE})")
  String model;

  @Option(
      names = {"-b", "--batch-size"},
      defaultValue = "32",
      description = "rows per encode call; hosted: inputs per request (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(
      names = "--precision",
      defaultValue = "float32",
      description = "float32, int8, uint8, binary or ubinary (default: ${DEFAULT-VALUE})")
  String precision;

  @Option(names = "--prompt-name", description = "one of the model's named prompts")
  String promptName;

  @Option(names = "--truncate-dim", description = "keep the first N dimensions")
  Integer truncateDim;

  @Option(names = "--normalize", description = "unit-length vectors (after --truncate-dim)")
  boolean normalize;

  @Option(names = "--keep-text", description = "write the text into the Parquet output too")
  boolean keepText;

  @Option(
      names = "--fail-fast",
      description = "stop at the first row without usable text (default: keep it, counted)")
  boolean failFast;

  @Option(names = "--partitions", description = "repartition the input into N partitions")
  Integer partitions;

  @Option(names = "--threads", description = "inference threads per executor (default: its cores)")
  Integer threads;

  @Option(names = "--base-url", description = "base URL of a hosted API")
  String baseUrl;

  @Option(
      names = "--model-property",
      description = "model load property key=value (repeatable), e.g. max-retries=6")
  Map<String, String> modelProperties;

  @Option(
      names = "--requests-per-minute",
      defaultValue = "0",
      description = "hosted: the provider's request limit, shared by all executors")
  long requestsPerMinute;

  @Option(
      names = "--tokens-per-minute",
      defaultValue = "0",
      description = "hosted: the provider's token limit, shared by all executors")
  long tokensPerMinute;

  @Option(
      names = "--executors",
      description = "executors sharing the limits (default: spark.executor.instances)")
  Integer executors;

  @Option(
      names = "--max-attempts",
      defaultValue = "8",
      description = "hosted: attempts per batch before the task fails (default: ${DEFAULT-VALUE})")
  int maxAttempts;

  @Option(
      names = "--master",
      description = "Spark master when not run by spark-submit (default: local[*])")
  String master;

  @Option(names = "--verbose", description = "stack traces on errors")
  boolean verbose;

  private PrintStream out = System.out;

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (SparkSession.getDefaultSession().isDefined()) {
      SparkSession.getDefaultSession().get().stop();
    }
    if (code != 0) {
      System.exit(code); // a normal return is success, also for spark-submit in cluster mode
    }
  }

  /** Runs the job in this JVM's Spark session (made if none is active); returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    EmbedJob job = new EmbedJob();
    job.out = out;
    CommandLine cl = new CommandLine(job);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setParameterExceptionHandler(
        (e, a) -> {
          err.println("jembed-spark: " + e.getMessage() + " (see --help)");
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          boolean usage = e instanceof UsageError;
          err.println("jembed-spark: " + (usage ? e.getMessage() : explain(e)));
          if (job.verbose) {
            e.printStackTrace(err);
          }
          return usage ? 2 : 1;
        });
    return cl.execute(args);
  }

  /** Bad arguments found after parsing (exit code 2). */
  static final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() {
    JobInput.Format inputFormat = inputFormat();
    if (output == null && store == null) {
      throw new UsageError("say where the vectors go: --output (Parquet), --store, or both");
    }
    boolean storeFromExecutors = storeFromExecutors();
    JembedEmbedder embedder;
    try {
      embedder = embedder();
    } catch (IllegalArgumentException e) {
      throw new UsageError(e.getMessage());
    }
    if (store != null && !precision.equalsIgnoreCase("float32")) {
      throw new UsageError(
          "a store takes float32 vectors (it quantizes them itself): drop --precision "
              + precision);
    }
    long start = System.nanoTime();
    SparkSession spark = session();
    Dataset<Row> rows = JobInput.read(spark, input, inputFormat, textColumn, idColumn);
    if (partitions != null) {
      rows = rows.repartition(partitions);
    }
    Dataset<Row> embedded = embedder.transform(rows);
    ModelInfo info = VectorColumns.modelInfo(embedded, VECTOR);
    List<Column> columns = new ArrayList<>(List.of(col(JobInput.ID)));
    if (keepText || store != null) {
      columns.add(col(JobInput.TEXT));
    }
    columns.add(col(VECTOR));
    columns.add(coalesce(col(JobInput.INPUT_ERROR), col("embed_error")).as(ERROR));
    Dataset<Row> result = embedded.select(columns.toArray(Column[]::new));
    boolean both = output != null && store != null;
    if (both) {
      result = result.persist(StorageLevel.MEMORY_AND_DISK()); // embedded once for both outputs
    }
    if (output != null) {
      Dataset<Row> parquet = keepText ? result : result.drop(JobInput.TEXT);
      parquet.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(output);
    }
    StoreWriter.Written written = null;
    if (store != null) {
      StoreWriter writer = new StoreWriter(result, store, VECTOR);
      written = storeFromExecutors ? writer.fromExecutors(result) : writer.fromDriver(result);
    }
    if (both) {
      result.unpersist();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    EmbedMetrics metrics = embedder.lastMetrics();
    out.println("model: " + model + " (" + info.identity() + ")");
    out.println("embedded: " + metrics.report());
    if (output != null) {
      out.println("wrote: " + metrics.rows() + " rows to " + output);
    }
    if (written != null) {
      out.printf(
          Locale.ROOT,
          "stored: %,d documents in %s (%s); rows without a vector, skipped: %,d%n",
          written.documents(),
          store,
          storeFromExecutors ? "from the executors" : "from the driver",
          written.skipped());
    }
    out.printf(
        Locale.ROOT,
        "time: %.1f s, %,.0f rows/s%n",
        seconds,
        metrics.rows() / Math.max(seconds, 1e-9));
    return 0;
  }

  private JobInput.Format inputFormat() {
    if (format != null) {
      try {
        return JobInput.Format.parse(format);
      } catch (IllegalArgumentException e) {
        throw new UsageError(e.getMessage());
      }
    }
    JobInput.Format guessed = JobInput.Format.guess(input);
    if (guessed == null) {
      throw new UsageError(
          "cannot tell the format of "
              + input
              + " from its name: give --format text|jsonl|parquet");
    }
    return guessed;
  }

  private boolean storeFromExecutors() {
    if (store == null) {
      return false;
    }
    String mode = storeWrites == null ? "" : storeWrites.toLowerCase(Locale.ROOT);
    boolean folder = StoreOutput.isLocalFolder(store);
    return switch (mode) {
      case "" -> !folder;
      case "driver" -> false;
      case "executors" -> true;
      default ->
          throw new UsageError(
              "--store-writes must be driver or executors, got '" + storeWrites + "'");
    };
  }

  private SparkSession session() {
    SparkSession.Builder b = SparkSession.builder().appName("jembed-spark " + model);
    if (master != null) {
      b.master(master);
    } else if (SparkSession.getActiveSession().isEmpty()
        && !new org.apache.spark.SparkConf().contains("spark.master")) {
      b.master("local[*]"); // a run from the project, not from spark-submit
    }
    SparkSession spark = b.getOrCreate();
    if (store != null
        && storeFromExecutors()
        && StoreOutput.isLocalFolder(store)
        && !spark.sparkContext().isLocal()) {
      throw new UsageError(
          "a Lucene folder takes one writer: write it from the driver (--store-writes driver),"
              + " or from executors only in local mode");
    }
    return spark;
  }

  private JembedEmbedder embedder() {
    JembedEmbedder e =
        new JembedEmbedder()
            .setInputCol(JobInput.TEXT)
            .setOutputCol(VECTOR)
            .setErrorCol("embed_error")
            .setModelName(model)
            .setBatchSize(batchSize)
            .setPrecision(precision)
            .setFailFast(failFast)
            .setRequestsPerMinute(requestsPerMinute)
            .setTokensPerMinute(tokensPerMinute)
            .setMaxAttempts(maxAttempts);
    if (promptName != null) {
      e.setPromptName(promptName);
    }
    if (truncateDim != null) {
      e.setTruncateDim(truncateDim);
    }
    if (normalize) {
      e.setNormalize(true);
    }
    if (threads != null) {
      e.setThreads(threads);
    }
    if (baseUrl != null) {
      e.setBaseUrl(baseUrl);
    }
    if (executors != null) {
      e.setExecutors(executors);
    }
    if (modelProperties != null && !modelProperties.isEmpty()) {
      e.setModelProperties(
          modelProperties.entrySet().stream()
              .map(p -> p.getKey() + "=" + p.getValue())
              .collect(Collectors.joining(",")));
    }
    return e;
  }

  /**
   * One line for a failure: jembed's own message when a task failed on one, else the first line.
   */
  static String explain(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JembedException || t instanceof IllegalArgumentException) {
        return t.getMessage();
      }
    }
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
