package io.jembed;

import io.jembed.engine.FusedModels;
import io.jembed.engine.OnnxRuntimeLibraries;
import io.jembed.engine.OnnxTransformer;
import io.jembed.engine.Pipeline;
import io.jembed.engine.TextTokenizer;
import io.jembed.hub.HubClient;
import io.jembed.hub.MavenArtifacts;
import io.jembed.model.BundledModels;
import io.jembed.model.ModelResolver;
import io.jembed.model.PipelineConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * A local embedding model, as sentence-transformers' {@code SentenceTransformer}: tokenizer, ONNX
 * transformer, pooling and optional normalization, configured from the model's own
 * sentence-transformers files.
 *
 * <pre>{@code
 * try (SentenceTransformer model = SentenceTransformer.load("all-MiniLM-L6-v2")) {
 *   float[] vector = model.encode("The cat sat on the mat.");   // 384 floats, unit length
 * }
 * }</pre>
 *
 * <p>One instance serves concurrent callers; {@link #close()} releases the native session and
 * tokenizer once running calls have finished.
 */
public final class SentenceTransformer implements EmbeddingModel {
  /**
   * Padded tokens per forward pass at most; long texts get smaller batches (measured: 2048 runs
   * 200-256-token passages 11% faster than 16384, and leaves short-sentence batches whole).
   */
  static final int DEFAULT_MAX_BATCH_TOKENS = 2048;

  /** With parallel sessions, smaller batches keep both busy (measured: int8, 256 vs 2048 +44%). */
  static final int PARALLEL_MAX_BATCH_TOKENS = 256;

  /**
   * The same for float32 weights sharing one session (measured: long passages, 512 vs 2048 +8%).
   */
  static final int PARALLEL_LARGE_MAX_BATCH_TOKENS = 512;

  /** Weights up to this size (int8 exports) give each worker its own session by default. */
  static final long SMALL_WEIGHTS_BYTES = 64L << 20;

  private final ModelInfo info;
  private final PipelineConfig config;
  private final String source;
  private final Pipeline pipeline;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private SentenceTransformer(
      ModelInfo info, PipelineConfig config, String source, Pipeline pipeline) {
    this.info = info;
    this.config = config;
    this.source = source;
    this.pipeline = pipeline;
  }

  /** Loads the default model, all-MiniLM-L6-v2. */
  public static SentenceTransformer load() {
    return load(io.jembed.model.BundledModels.DEFAULT_MODEL);
  }

  /**
   * Loads a model: a bundled name ("all-MiniLM-L6-v2", "bge-small-en-v1.5", "e5-small-v2", their
   * "-int8" variants), a sentence-transformers folder with an ONNX export, or a Hub id ({@code
   * org/name} or {@code org/name@revision}, downloaded once into the Hugging Face cache).
   */
  public static SentenceTransformer load(String name) {
    return load(name, LoadOptions.defaults());
  }

  /**
   * As {@link #load(String)}, with options: revision, cache folder, threads, device, and the
   * properties "onnxFile" (an ONNX file other than onnx/model.onnx), "maxSeqLength" (as setting
   * {@code model.max_seq_length}), "workers" (forward passes run in parallel, each on threads /
   * workers cores; default 2 on a CPU, 1 on a GPU), "sessions" (ONNX Runtime sessions the workers
   * share; default one per worker for weights up to 64 MB such as int8 exports, else 1: one copy of
   * the weights), "latencySession" (with several workers, once single-batch encodes repeat, a
   * session on all cores is opened in the background and runs them; default true), "maxBatchTokens"
   * (padded tokens per forward pass; default 2048 with one worker, else 256 for weights up to 64 MB
   * and 512 above), "ortConfig" (ONNX Runtime session config entries, {@code key=value;key=value})
   * and "graphFusion" (run the encoder graph with its attention blocks and residual layer norms
   * fused, prepared once and cached, see {@link FusedModels}; default true on a CPU) and
   * "javaTokenizer" (tokenize plain-ASCII text in Java when tokenizer.json is a BERT WordPiece one:
   * the same ids as the tokenizers library, which takes all other text; default true) and
   * "tokenizePrefix" (tokenize a long text only as far as max_seq_length tokens need, not all of
   * it: the same tokens and vectors, at a cost that no longer grows with the text; default true).
   */
  public static SentenceTransformer load(String name, LoadOptions options) {
    Objects.requireNonNull(options, "options");
    checkPropertyNames(options);
    ModelResolver.Resolved resolved = ModelResolver.resolve(name, options);
    return fromFolder(resolved, options);
  }

  /** Loads a sentence-transformers folder (with onnx/model.onnx or model.onnx). */
  public static SentenceTransformer load(Path directory, LoadOptions options) {
    checkPropertyNames(options);
    Path dir = directory.toAbsolutePath().normalize();
    String id = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
    return fromFolder(new ModelResolver.Resolved(id, directory, "folder"), options);
  }

  /** The LoadOptions properties local models read; any other name is a typo worth reporting. */
  static final Set<String> PROPERTIES =
      Set.of(
          HubClient.ONNX_FILE_PROPERTY,
          "maxSeqLength",
          "workers",
          "sessions",
          "latencySession",
          "maxBatchTokens",
          "ortConfig",
          "graphFusion",
          "javaTokenizer",
          "tokenizePrefix",
          MavenArtifacts.LOCAL_REPOSITORY_PROPERTY,
          MavenArtifacts.REMOTE_REPOSITORY_PROPERTY);

  /** true/false properties, all on unless set to false. */
  private static final List<String> FLAG_PROPERTIES =
      List.of("latencySession", "graphFusion", "javaTokenizer", "tokenizePrefix");

  private static boolean flagProperty(LoadOptions options, String key) {
    return !"false".equals(options.properties().get(key));
  }

  private static void checkPropertyNames(LoadOptions options) {
    for (String key : options.properties().keySet()) {
      if (!PROPERTIES.contains(key)) {
        throw new IllegalArgumentException(
            "unknown property '"
                + key
                + "' for a local model; known: "
                + new java.util.TreeSet<>(PROPERTIES));
      }
    }
    for (String flag : FLAG_PROPERTIES) {
      String value = options.properties().get(flag);
      if (value != null && !value.equals("true") && !value.equals("false")) {
        throw new IllegalArgumentException(
            "property " + flag + " must be true or false, got '" + value + "'");
      }
    }
  }

  private static SentenceTransformer fromFolder(
      ModelResolver.Resolved resolved, LoadOptions options) {
    // one JVM-wide copy of ONNX Runtime's native libraries, in jembed's own cache
    OnnxRuntimeLibraries.prepare(BundledModels.cacheRoot());
    PipelineConfig read =
        PipelineConfig.read(resolved.directory(), options.properties().get("onnxFile"));
    String maxSeq = options.properties().get("maxSeqLength");
    PipelineConfig config =
        maxSeq == null ? read : read.withMaxSeqLength(intProperty(options, "maxSeqLength", 0));
    // the tokenizer's native library, the weights fingerprint and the ONNX session load in
    // parallel: start-up is the slowest of the three, not their sum
    CompletableFuture<TextTokenizer> tokenizerLoad =
        CompletableFuture.supplyAsync(
            () ->
                TextTokenizer.load(
                    config.tokenizerFile(),
                    config.maxSeqLength(),
                    config.doLowerCase(),
                    flagProperty(options, "javaTokenizer"),
                    flagProperty(options, "tokenizePrefix")),
            SentenceTransformer::startDaemon);
    CompletableFuture<String> fingerprintLoad =
        CompletableFuture.supplyAsync(() -> fingerprint(config), SentenceTransformer::startDaemon);
    int cores = Runtime.getRuntime().availableProcessors();
    int threads = options.threads().orElse(cores);
    // measured on 2 cores (bench EngineTuningBenchmark, docs/benchmarks.md): two forward passes
    // in parallel, one thread each, beat one pass on two threads (float32: +9% on short texts,
    // +10% on long ones, sharing one session and so one copy of the weights; int8: +14% and +44%,
    // with a session each, since 23 MB of weights are cheap to hold twice). A single query on one
    // thread takes about 1.4x longer, so once single-batch encodes repeat (a query loop, a
    // server), a latency session on all cores is opened in the background and takes them over.
    boolean smallWeights = fileSize(config.onnxFile()) <= SMALL_WEIGHTS_BYTES;
    String device = options.device().orElse("cpu");
    boolean cpu = device.equalsIgnoreCase("cpu");
    // on a GPU one session does the work; more would hold more copies of the weights there
    int defaultWorkers = cpu ? Math.min(2, threads) : 1;
    int workers = Math.max(1, Math.min(threads, intProperty(options, "workers", defaultWorkers)));
    int sessions = Math.min(workers, intProperty(options, "sessions", smallWeights ? workers : 1));
    boolean latencySession = workers > 1 && threads > 1 && flagProperty(options, "latencySession");
    int maxBatchTokens =
        intProperty(
            options,
            "maxBatchTokens",
            workers == 1
                ? DEFAULT_MAX_BATCH_TOKENS
                : smallWeights ? PARALLEL_MAX_BATCH_TOKENS : PARALLEL_LARGE_MAX_BATCH_TOKENS);
    Map<String, String> sessionConfig = sessionConfig(options);
    // measured (docs/benchmarks.md): the fused encoder graph answers single queries 11-18% faster
    // and, taking no padding mask, runs unpadded batches 2-4% faster (calls of a few mixed-length
    // texts much more); it is prepared once per model file and checked against the original
    Path onnxFile =
        cpu && flagProperty(options, "graphFusion")
            ? FusedModels.prepare(
                config.onnxFile(), options.cacheDir().orElseGet(BundledModels::cacheRoot))
            : config.onnxFile();
    List<OnnxTransformer> transformers = new ArrayList<>();
    List<OnnxTransformer> workerSessions = new ArrayList<>();
    try {
      for (int i = 0; i < sessions; i++) {
        transformers.add(
            OnnxTransformer.open(onnxFile, Math.max(1, threads / workers), device, sessionConfig));
      }
      for (int i = 0; i < workers; i++) {
        workerSessions.add(transformers.get(i % sessions));
      }
    } catch (RuntimeException e) {
      transformers.forEach(OnnxTransformer::close);
      tokenizerLoad.thenAccept(TextTokenizer::close);
      throw e;
    }
    Supplier<OnnxTransformer> latencyFactory =
        latencySession
            ? () -> OnnxTransformer.open(onnxFile, threads, device, sessionConfig)
            : null;
    TextTokenizer tokenizer;
    String fingerprint;
    try {
      tokenizer = tokenizerLoad.join();
      fingerprint = fingerprintLoad.join();
    } catch (CompletionException e) {
      transformers.forEach(OnnxTransformer::close);
      tokenizerLoad.thenAccept(TextTokenizer::close);
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
    OnnxTransformer transformer = transformers.get(0);
    int hidden = transformer.hiddenSize();
    if (hidden > 0 && hidden != config.pooling().wordEmbeddingDimension()) {
      transformers.forEach(OnnxTransformer::close);
      tokenizer.close();
      throw new JembedException(
          "incompatible model in "
              + resolved.directory()
              + ": the ONNX model outputs "
              + hidden
              + "-d token embeddings but the Pooling module expects "
              + config.pooling().wordEmbeddingDimension());
    }
    int dimension = transformer.pooledOutput() ? hidden : config.pooling().outputDimension();
    ModelInfo info =
        new ModelInfo(
            "local",
            resolved.id(),
            fingerprint,
            dimension,
            config.maxSeqLength(),
            config.normalize(),
            config.similarity(),
            config.prompts(),
            config.defaultPromptName());
    Pipeline pipeline =
        new Pipeline(config, tokenizer, workerSessions, latencyFactory, info, maxBatchTokens);
    return new SentenceTransformer(info, config, resolved.source(), pipeline);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  /** Whether the background latency session is open and takes single-batch encodes (tests). */
  boolean latencySessionReady() {
    return pipeline.latencySessionReady();
  }

  /** The folder the model was loaded from (for bundled models, jembed's cache). */
  public Path directory() {
    return config.directory();
  }

  /** The sentence-transformers configuration that was read. */
  public PipelineConfig config() {
    return config;
  }

  /** "bundled", "folder" or "hub". */
  public String source() {
    return source;
  }

  @Override
  public Embeddings encode(List<String> texts, EncodeOptions options) {
    if (texts == null) {
      throw new IllegalArgumentException("texts must not be null");
    }
    Objects.requireNonNull(options, "options");
    info.withOptions(options); // rejects a truncate dim larger than the vectors before any work
    List<String> checked = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String t = texts.get(i);
      if (t == null) {
        throw new IllegalArgumentException("text at index " + i + " is null");
      }
      checked.add(t);
    }
    lock.readLock().lock();
    try {
      ensureOpen();
      return pipeline.encode(checked, options);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public int countTokens(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    lock.readLock().lock();
    try {
      ensureOpen();
      return pipeline.countTokens(text);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The prompt {@code options} selects (literal prompt, prompt name, input type, default). */
  public String resolvePrompt(EncodeOptions options) {
    return pipeline.resolvePrompt(options);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("model " + info.id() + " is closed");
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        pipeline.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** As print(model) in sentence-transformers. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("SentenceTransformer(\n");
    List<String> modules = config.describeModules();
    for (int i = 0; i < modules.size(); i++) {
      sb.append("  (").append(i).append("): ").append(modules.get(i)).append('\n');
    }
    return sb.append(')').toString();
  }

  private static void startDaemon(Runnable r) {
    Thread t = new Thread(r, "jembed-load");
    t.setDaemon(true);
    t.start();
  }

  private static long fileSize(Path file) {
    try {
      return java.nio.file.Files.size(file);
    } catch (IOException e) {
      throw new JembedException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * ONNX Runtime session configuration from the "ortConfig" property ("key=value;key=value", ONNX
   * Runtime's session config keys); jembed sets none of its own.
   */
  static Map<String, String> sessionConfig(LoadOptions options) {
    Map<String, String> entries = new LinkedHashMap<>();
    String spec = options.properties().get("ortConfig");
    if (spec == null || spec.isBlank()) {
      return entries;
    }
    for (String part : spec.split(";")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0 || eq == part.length() - 1) {
        throw new IllegalArgumentException(
            "property ortConfig must be key=value pairs separated by ';', got '" + part + "'");
      }
      entries.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    return entries;
  }

  private static int intProperty(LoadOptions options, String key, int fallback) {
    String v = options.properties().get(key);
    if (v == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(v.trim());
      if (parsed < 1) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "property " + key + " must be a positive integer, got '" + v + "'");
    }
  }

  /** A cheap content fingerprint of the weights and tokenizer (CRC32C), for identity(). */
  private static String fingerprint(PipelineConfig config) {
    CRC32C crc = new CRC32C();
    for (Path p : List.of(config.onnxFile(), config.tokenizerFile())) {
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        while (ch.read(buf) > 0) {
          buf.flip();
          crc.update(buf);
          buf.clear();
        }
      } catch (IOException e) {
        throw new JembedException("cannot read " + p + ": " + e.getMessage(), e);
      }
    }
    return String.format("crc32c-%08x", crc.getValue());
  }
}
