package io.jembed.spark;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Any jembed model as a Spark ML transformer: adds a column with the vector of each row's text
 * ({@code array<float>}, or {@code binary} for the int8, uint8, binary and ubinary precisions), the
 * same vectors as {@code EmbeddingModel.encode} gives on one machine.
 *
 * <pre>{@code
 * Dataset<Row> embedded = new JembedEmbedder()
 *     .setInputCol("text").setOutputCol("embedding")
 *     .setModelName("all-MiniLM-L6-v2").setBatchSize(64)
 *     .transform(docs);
 * }</pre>
 *
 * <p>Each executor loads the model once and its tasks share it; each task encodes its partition a
 * batch at a time. A row whose text is null or not a string (or that the model refuses) is kept
 * with a null vector and counted in {@link #lastMetrics()}, unless {@link #setFailFast fail-fast}
 * is on. The output column's metadata records the model (see {@link VectorColumns}).
 *
 * <p>{@code transform} runs a one-row job to learn the model's identity from an executor; the
 * embedding itself runs, as usual, when an action consumes the result. Saved and loaded with {@code
 * save}/{@link #load}, alone or in a {@code Pipeline}. API keys never go into the saved params:
 * hosted models read them from the executors' environment ({@code
 * spark.executorEnv.OPENAI_API_KEY}).
 */
public final class JembedEmbedder extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final System.Logger LOG = System.getLogger(JembedEmbedder.class.getName());

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> errorCol;
  private final Param<String> modelName;
  private final IntParam batchSize;
  private final Param<String> precision;
  private final Param<String> promptName;
  private final IntParam truncateDim;
  private final BooleanParam normalize;
  private final BooleanParam failFast;
  private final Param<String> baseUrl;
  private final IntParam threads;
  private final Param<String> modelProperties;
  private final LongParam requestsPerMinute;
  private final LongParam tokensPerMinute;
  private final IntParam executors;
  private final IntParam maxAttempts;
  private transient EmbedMetrics lastMetrics;

  public JembedEmbedder() {
    this(Identifiable.randomUID("jembedEmbedder"));
  }

  /** With a given uid (used when a saved transformer is loaded). */
  public JembedEmbedder(String uid) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", "column with the texts to embed");
    outputCol = new Param<>(this, "outputCol", "column to add with the vectors");
    errorCol =
        new Param<>(
            this,
            "errorCol",
            "column to add with why a row has no vector (null when it has one); unset: none");
    modelName =
        new Param<>(
            this,
            "modelName",
            "jembed model: bundled name, folder, Hub id (org/name) or hosted (openai:...)");
    batchSize =
        new IntParam(
            this,
            "batchSize",
            "rows per encode call (hosted: inputs per request)",
            ParamValidators.gtEq(1));
    precision =
        new Param<>(
            this,
            "precision",
            "float32 (array<float>), int8, uint8, binary or ubinary (binary column)",
            value -> isPrecision(value));
    promptName = new Param<>(this, "promptName", "one of the model's named prompts");
    truncateDim =
        new IntParam(
            this,
            "truncateDim",
            "keep the first N dimensions (Matryoshka)",
            ParamValidators.gtEq(1));
    normalize =
        new BooleanParam(
            this, "normalize", "unit-length vectors always (true) or never (false); unset: model");
    failFast =
        new BooleanParam(
            this, "failFast", "stop at the first row without usable text instead of keeping it");
    baseUrl = new Param<>(this, "baseUrl", "base URL of a hosted API (or of the Hub)");
    threads =
        new IntParam(
            this,
            "threads",
            "inference threads of a local model per executor; unset: the executor's cores",
            ParamValidators.gtEq(1));
    modelProperties =
        new Param<>(
            this,
            "modelProperties",
            "model load properties, key=value pairs separated by commas",
            value -> isPropertyList(value));
    requestsPerMinute =
        new LongParam(
            this,
            "requestsPerMinute",
            "hosted: the provider's request limit for the whole job; 0: none",
            ParamValidators.gtEq(0));
    tokensPerMinute =
        new LongParam(
            this,
            "tokensPerMinute",
            "hosted: the provider's token limit for the whole job; 0: none",
            ParamValidators.gtEq(0));
    executors =
        new IntParam(
            this,
            "executors",
            "executors sharing the rate limits; unset: from spark.executor.instances or"
                + " spark.dynamicAllocation.maxExecutors",
            ParamValidators.gtEq(1));
    maxAttempts =
        new IntParam(
            this,
            "maxAttempts",
            "hosted: attempts per batch after the client's own retries, before the task fails",
            ParamValidators.gtEq(1));
    setDefault(inputCol, "text");
    setDefault(outputCol, "embedding");
    setDefault(modelName, "all-MiniLM-L6-v2");
    setDefault(batchSize, (Object) 32);
    setDefault(precision, "float32");
    setDefault(failFast, (Object) false);
    setDefault(modelProperties, "");
    setDefault(requestsPerMinute, (Object) 0L);
    setDefault(tokensPerMinute, (Object) 0L);
    setDefault(maxAttempts, (Object) 8);
  }

  @Override
  public String uid() {
    return uid;
  }

  // ------------------------------------------------------------------ params (Spark finds them
  // by these method names)

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> errorCol() {
    return errorCol;
  }

  public Param<String> modelName() {
    return modelName;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public Param<String> precision() {
    return precision;
  }

  public Param<String> promptName() {
    return promptName;
  }

  public IntParam truncateDim() {
    return truncateDim;
  }

  public BooleanParam normalize() {
    return normalize;
  }

  public BooleanParam failFast() {
    return failFast;
  }

  public Param<String> baseUrl() {
    return baseUrl;
  }

  public IntParam threads() {
    return threads;
  }

  public Param<String> modelProperties() {
    return modelProperties;
  }

  public LongParam requestsPerMinute() {
    return requestsPerMinute;
  }

  public LongParam tokensPerMinute() {
    return tokensPerMinute;
  }

  public IntParam executors() {
    return executors;
  }

  public IntParam maxAttempts() {
    return maxAttempts;
  }

  // ------------------------------------------------------------------ setters and getters

  public JembedEmbedder setInputCol(String value) {
    set(inputCol, value);
    return this;
  }

  public String getInputCol() {
    return $(inputCol);
  }

  public JembedEmbedder setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public String getOutputCol() {
    return $(outputCol);
  }

  /** Adds a column that says why a row has no vector ("text is null", ...). */
  public JembedEmbedder setErrorCol(String value) {
    set(errorCol, value);
    return this;
  }

  public JembedEmbedder setModelName(String value) {
    set(modelName, value);
    return this;
  }

  public String getModelName() {
    return $(modelName);
  }

  public JembedEmbedder setBatchSize(int value) {
    set(batchSize, (Object) value);
    return this;
  }

  public int getBatchSize() {
    return (Integer) $(batchSize);
  }

  /** float32 (default), int8, uint8, binary or ubinary, as sentence-transformers names them. */
  public JembedEmbedder setPrecision(String value) {
    set(precision, value);
    return this;
  }

  public String getPrecision() {
    return $(precision);
  }

  public JembedEmbedder setPromptName(String value) {
    set(promptName, value);
    return this;
  }

  public JembedEmbedder setTruncateDim(int value) {
    set(truncateDim, (Object) value);
    return this;
  }

  public JembedEmbedder setNormalize(boolean value) {
    set(normalize, (Object) value);
    return this;
  }

  public JembedEmbedder setFailFast(boolean value) {
    set(failFast, (Object) value);
    return this;
  }

  public JembedEmbedder setBaseUrl(String value) {
    set(baseUrl, value);
    return this;
  }

  public JembedEmbedder setThreads(int value) {
    set(threads, (Object) value);
    return this;
  }

  /** Load properties, {@code "key=value,key=value"} (a hosted model's "max-retries", ...). */
  public JembedEmbedder setModelProperties(String value) {
    set(modelProperties, value);
    return this;
  }

  public JembedEmbedder setRequestsPerMinute(long value) {
    set(requestsPerMinute, (Object) value);
    return this;
  }

  public JembedEmbedder setTokensPerMinute(long value) {
    set(tokensPerMinute, (Object) value);
    return this;
  }

  public JembedEmbedder setExecutors(int value) {
    set(executors, (Object) value);
    return this;
  }

  public JembedEmbedder setMaxAttempts(int value) {
    set(maxAttempts, (Object) value);
    return this;
  }

  /** The counters of the latest {@link #transform}, filled as actions consume its result. */
  public EmbedMetrics lastMetrics() {
    if (lastMetrics == null) {
      throw new IllegalStateException("no transform has run yet");
    }
    return lastMetrics;
  }

  // ------------------------------------------------------------------ the transformer

  @Override
  public StructType transformSchema(StructType schema) {
    return outputSchema(schema, Metadata.empty());
  }

  private StructType outputSchema(StructType schema, Metadata vectorMetadata) {
    List<String> names = Arrays.asList(schema.fieldNames());
    String input = getInputCol();
    if (!names.contains(input)) {
      throw new IllegalArgumentException(
          "input column '" + input + "' not found; columns: " + String.join(", ", names));
    }
    for (String column : outputColumns()) {
      if (names.contains(column)) {
        throw new IllegalArgumentException("output column '" + column + "' exists already");
      }
    }
    StructType out =
        schema.add(
            new StructField(
                getOutputCol(),
                VectorColumns.dataType(Precision.parse(getPrecision())),
                true,
                vectorMetadata));
    if (isDefined(errorCol)) {
      out = out.add(new StructField($(errorCol), DataTypes.StringType, true, Metadata.empty()));
    }
    return out;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema()); // a bad column fails here, before any model loads
    SparkContext sc = dataset.sparkSession().sparkContext();
    EmbedSettings settings = settings(sc);
    EmbedMetrics metrics = EmbedMetrics.register(sc);
    ModelInfo vectors =
        modelFromAnExecutor(sc, settings, metrics).withOptions(settings.encodeOptions());
    Metadata identity = VectorColumns.metadata(vectors, getModelName(), settings.precision());
    StructType schema = outputSchema(dataset.schema(), identity);
    if (!dataset.schema().apply(getInputCol()).dataType().equals(DataTypes.StringType)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "jembed: column '"
              + getInputCol()
              + "' is "
              + dataset.schema().apply(getInputCol()).dataType().simpleString()
              + ", not string: rows whose value is not a string get no vector");
    }
    lastMetrics = metrics;
    return dataset
        .toDF()
        .mapPartitions(
            new PartitionEmbedder(
                dataset.schema().fieldIndex(getInputCol()),
                getInputCol(),
                settings,
                metrics,
                isDefined(errorCol)),
            Encoders.row(schema))
        // the row encoder keeps types, not column metadata
        .withMetadata(getOutputCol(), identity);
  }

  @Override
  public JembedEmbedder copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads a transformer written by {@code save(path)}. */
  public static JembedEmbedder load(String path) {
    return read().load(path);
  }

  /** Spark's reader for this class (Pipeline loading finds it by this name). */
  public static MLReader<JembedEmbedder> read() {
    return new DefaultParamsReader<>();
  }

  // ------------------------------------------------------------------ internals

  private List<String> outputColumns() {
    return isDefined(errorCol) ? List.of(getOutputCol(), $(errorCol)) : List.of(getOutputCol());
  }

  EmbedSettings settings(SparkContext sc) {
    Map<String, String> properties = parseProperties($(modelProperties));
    ModelSpec spec =
        new ModelSpec(
            getModelName(),
            isDefined(baseUrl) ? $(baseUrl) : null,
            isDefined(threads) ? (Integer) $(threads) : null,
            properties);
    long rpm = (Long) $(requestsPerMinute);
    long tpm = (Long) $(tokensPerMinute);
    RateBudget budget =
        rpm == 0 && tpm == 0
            ? RateBudget.NONE
            : new RateBudget(
                rpm, tpm, isDefined(executors) ? (Integer) $(executors) : executorsOf(sc));
    return new EmbedSettings(
        spec,
        getBatchSize(),
        Precision.parse(getPrecision()),
        isDefined(promptName) ? $(promptName) : null,
        isDefined(truncateDim) ? (Integer) $(truncateDim) : null,
        isDefined(normalize) ? (Boolean) $(normalize) : null,
        (Boolean) $(failFast),
        budget,
        (Integer) $(maxAttempts));
  }

  /**
   * How many executors share a rate budget: one in local mode, else the configured count (the
   * maximum under dynamic allocation), else those registered now.
   */
  static int executorsOf(SparkContext sc) {
    if (sc.isLocal()) {
      return 1;
    }
    SparkConf conf = sc.getConf();
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      int max = conf.getInt("spark.dynamicAllocation.maxExecutors", Integer.MAX_VALUE);
      if (max == Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "a rate budget is shared by the executors, but dynamic allocation sets no"
                + " spark.dynamicAllocation.maxExecutors: set it, or the executors param");
      }
      return max;
    }
    if (conf.contains("spark.executor.instances")) {
      return Math.max(1, conf.getInt("spark.executor.instances", 1));
    }
    return Math.max(1, sc.getExecutorMemoryStatus().size() - 1); // less the driver
  }

  /**
   * Loads the model on one executor (where it stays for the tasks) and returns what it is. An empty
   * encode there checks the options (a prompt name the model lacks) before any row is read.
   */
  private static ModelInfo modelFromAnExecutor(
      SparkContext sc, EmbedSettings settings, EmbedMetrics metrics) {
    String json;
    try {
      json =
          JavaSparkContext.fromSparkContext(sc)
              .parallelize(List.of(0), 1)
              .map(
                  x -> {
                    EmbeddingModel model = ExecutorModels.get(settings.model(), metrics);
                    model.encode(List.of(), settings.encodeOptions());
                    return VectorColumns.toJson(model.info());
                  })
              .first();
    } catch (Exception e) { // SparkException is checked, yet undeclared by Scala
      throw jembedCause(e);
    }
    return VectorColumns.fromJson(json, "model " + settings.model().name());
  }

  /** The model's own error behind Spark's job failure (an unknown model, a bad option), if any. */
  private static RuntimeException jembedCause(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JembedException || t instanceof IllegalArgumentException) {
        return (RuntimeException) t;
      }
    }
    return e instanceof RuntimeException re ? re : new JembedException(e.getMessage(), e);
  }

  static Map<String, String> parseProperties(String list) {
    Map<String, String> out = new LinkedHashMap<>();
    if (list == null || list.isBlank()) {
      return out;
    }
    for (String pair : list.split(",")) {
      int eq = pair.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException(
            "model property '" + pair.trim() + "' is not key=value (in '" + list + "')");
      }
      out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return out;
  }

  private static boolean isPrecision(String value) {
    try {
      Precision.parse(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isPropertyList(String value) {
    try {
      parseProperties(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
