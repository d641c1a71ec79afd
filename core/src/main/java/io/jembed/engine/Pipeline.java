package io.jembed.engine;

import io.jembed.ConsoleProgressBar;
import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.InputType;
import io.jembed.ModelInfo;
import io.jembed.OutputValue;
import io.jembed.Precision;
import io.jembed.ProgressListener;
import io.jembed.Vectors;
import io.jembed.model.PipelineConfig;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The encode loop: prompt, tokenize, sort by length, batch, run the transformer, pool, normalize,
 * truncate dimensions, quantize; results in input order.
 */
public final class Pipeline implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EmbeddingModel.class.getName());

  /**
   * Texts tokenized, sorted and batched together: at least this many, or 64 batches. It bounds the
   * token arrays held at once on huge inputs (8,192 texts of 256 tokens are 34 MB) while keeping
   * the cost of each group's end small: the workers wait there for the last batch, and each group
   * has its own partly filled batches, about one per distinct length. Measured on STS-B test (2,758
   * sentences, int8): groups of 2,048 instead of one group ran 6% slower (docs/benchmarks.md).
   */
  private static final int SUPER_BATCH_MIN_TEXTS = 8192;

  private static final int SUPER_BATCH_BATCHES = 64;

  private final PipelineConfig config;
  private final TextTokenizer tokenizer;

  /** Every distinct session, closed with the pipeline. */
  private final List<OnnxTransformer> transformers;

  private final boolean pooledOutput;

  /** False for a graph without attention mask: then no batch is padded. */
  private final boolean acceptsPadding;

  private final BatchRunner runner;
  private final int maxBatchTokens;
  private final Pooler pooler;
  private final ModelInfo info;
  private final AtomicBoolean truncationWarned = new AtomicBoolean();

  /**
   * @param workerSessions the session of each parallel batch worker (the same session may serve
   *     several workers)
   * @param latencyFactory opens a session on all cores for encodes that fit in one batch, or null
   * @param maxBatchTokens padded tokens per batch at most (texts x longest length)
   */
  public Pipeline(
      PipelineConfig config,
      TextTokenizer tokenizer,
      List<OnnxTransformer> workerSessions,
      Supplier<OnnxTransformer> latencyFactory,
      ModelInfo info,
      int maxBatchTokens) {
    this.config = config;
    this.tokenizer = tokenizer;
    List<OnnxTransformer> distinct = new ArrayList<>();
    for (OnnxTransformer t : workerSessions) {
      if (distinct.stream().noneMatch(d -> d == t)) {
        distinct.add(t);
      }
    }
    this.transformers = List.copyOf(distinct);
    this.pooledOutput = distinct.get(0).pooledOutput();
    this.acceptsPadding = distinct.stream().allMatch(OnnxTransformer::acceptsPadding);
    this.pooler = new Pooler(config.pooling());
    this.info = info;
    this.maxBatchTokens = maxBatchTokens;
    this.runner = new BatchRunner(workerSessions, latencyFactory);
  }

  /**
   * Texts tokenized, sorted and batched together for {@code batchSize}. A caller that encodes a
   * long stream in pieces of this many texts gets the batches, and so the vectors, of one call.
   */
  public static int textsPerGroup(int batchSize) {
    return Math.max(SUPER_BATCH_MIN_TEXTS, batchSize * SUPER_BATCH_BATCHES);
  }

  /** Whether the background latency session is open and takes single-batch encodes. */
  public boolean latencySessionReady() {
    return runner.latencySessionReady();
  }

  public int countTokens(String text) {
    return tokenizer.countTokens(text);
  }

  /** As sentence-transformers: a literal prompt wins, then a prompt name, then the default. */
  public String resolvePrompt(EncodeOptions options) {
    if (options.prompt() != null) {
      return options.prompt();
    }
    if (options.promptName() != null) {
      String p = config.prompts().get(options.promptName());
      if (p == null) {
        throw new IllegalArgumentException(
            "prompt name '"
                + options.promptName()
                + "' not found; model "
                + info.id()
                + " has prompts "
                + config.prompts().keySet());
      }
      return p;
    }
    if (options.inputType() == InputType.QUERY && config.prompts().containsKey("query")) {
      return config.prompts().get("query");
    }
    if (options.inputType() == InputType.DOCUMENT) {
      for (String name : List.of("document", "passage", "corpus")) {
        if (config.prompts().containsKey(name)) {
          return config.prompts().get(name);
        }
      }
    }
    if (config.defaultPromptName() != null) {
      return config.prompts().get(config.defaultPromptName());
    }
    return "";
  }

  public Embeddings encode(List<String> texts, EncodeOptions options) {
    int n = texts.size();
    String prompt = resolvePrompt(options);
    // sentence-transformers: prompt tokens without the trailing separator
    int promptLength =
        !prompt.isEmpty() && !config.pooling().includePrompt()
            ? tokenizer.encode(List.of(prompt))[0].length() - 1
            : 0;
    float[][] vectors = new float[n][];
    int[] tokenCounts = new int[n];
    boolean[] truncated = new boolean[n];
    List<float[][]> tokenEmbeddings =
        options.outputValue() == OutputValue.TOKEN_EMBEDDINGS
            ? new ArrayList<>(java.util.Collections.nCopies(n, (float[][]) null))
            : null;
    long totalTokens = 0;

    ProgressListener listener = options.progressListener();
    ConsoleProgressBar bar = options.showProgressBar() ? new ConsoleProgressBar("Batches") : null;
    int batchSize = options.batchSize();
    int superBatch = textsPerGroup(batchSize);
    AtomicLong done = new AtomicLong();
    ProgressListener progress =
        (listener == null && bar == null)
            ? null
            : (d, t) -> {
              synchronized (done) {
                if (listener != null) {
                  listener.progress(d, t);
                }
                if (bar != null) {
                  bar.progress(d, t);
                }
              }
            };
    try {
      for (int start = 0; start < n; start += superBatch) {
        int end = Math.min(n, start + superBatch);
        List<String> chunk = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
          chunk.add(prompt.isEmpty() ? texts.get(i) : prompt + texts.get(i));
        }
        TextTokenizer.Tokens[] tokens = tokenizer.encode(chunk);
        Integer[] order = new Integer[tokens.length];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        // longest first, as sentence-transformers does: padding stays small within a batch
        Arrays.sort(order, (a, b) -> Integer.compare(tokens[b].length(), tokens[a].length()));
        for (int k = 0; k < order.length; k++) {
          int original = start + order[k];
          tokenCounts[original] = tokens[order[k]].length();
          truncated[original] = tokens[order[k]].truncated();
        }
        List<int[]> batches =
            planBatches(tokens, order, batchSize, maxBatchTokens, !acceptsPadding);
        int offset = start;
        runner.run(
            batches.size(),
            (session, b) -> {
              int[] batch = batches.get(b);
              runBatch(
                  session,
                  tokens,
                  order,
                  batch[0],
                  batch[1],
                  offset,
                  promptLength,
                  options,
                  vectors,
                  tokenEmbeddings);
              long d = done.addAndGet(batch[1]);
              if (progress != null) {
                progress.progress(d, n);
              }
            });
      }
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
    for (int c : tokenCounts) {
      totalTokens += c;
    }
    Precision precision = options.precision();
    Embeddings result =
        new Embeddings(
            info.withOptions(options),
            vectors,
            precision,
            Quantizer.quantize(vectors, precision),
            tokenCounts,
            truncated,
            totalTokens,
            tokenEmbeddings);
    if (result.truncatedCount() > 0) {
      // the first time per model as a warning, then quietly: a server fed long inputs would
      // otherwise log on every request (the Embeddings still say which inputs were cut)
      LOG.log(
          truncationWarned.getAndSet(true)
              ? System.Logger.Level.DEBUG
              : System.Logger.Level.WARNING,
          "{0} of {1} input(s) were longer than max_seq_length={2} tokens and were truncated;"
              + " split long documents into chunks so nothing is ignored",
          result.truncatedCount(),
          n,
          config.maxSeqLength());
    }
    return result;
  }

  /**
   * Cuts the length-sorted texts into batches of at most {@code batchSize} texts and at most {@code
   * maxBatchTokens} padded tokens, so long texts run in smaller batches (attention memory grows
   * with the square of the length) while short ones fill whole batches. With {@code equalLengths}
   * (a graph that takes no attention mask) a batch also ends where the length changes, so no batch
   * is padded; on a sorted corpus that adds about one batch per distinct length.
   */
  static List<int[]> planBatches(
      TextTokenizer.Tokens[] tokens,
      Integer[] order,
      int batchSize,
      int maxBatchTokens,
      boolean equalLengths) {
    List<int[]> batches = new ArrayList<>();
    int from = 0;
    while (from < order.length) {
      int longest = Math.max(1, tokens[order[from]].length());
      int byTokens = Math.max(1, maxBatchTokens / longest);
      int size = Math.min(Math.min(batchSize, byTokens), order.length - from);
      if (equalLengths) {
        int same = 1;
        while (same < size && tokens[order[from + same]].length() == longest) {
          same++;
        }
        size = same;
      }
      batches.add(new int[] {from, size});
      from += size;
    }
    return batches;
  }

  private void runBatch(
      OnnxTransformer transformer,
      TextTokenizer.Tokens[] tokens,
      Integer[] order,
      int from,
      int size,
      int offset,
      int promptLength,
      EncodeOptions options,
      float[][] vectors,
      List<float[][]> tokenEmbeddings) {
    int seq = 0;
    for (int k = from; k < from + size; k++) {
      seq = Math.max(seq, tokens[order[k]].length());
    }
    long[] ids = new long[size * seq];
    long[] typeIds = new long[size * seq];
    long[] mask = new long[size * seq];
    for (int r = 0; r < size; r++) {
      TextTokenizer.Tokens t = tokens[order[from + r]];
      System.arraycopy(t.ids(), 0, ids, r * seq, t.length());
      System.arraycopy(t.typeIds(), 0, typeIds, r * seq, t.length());
      Arrays.fill(mask, r * seq, r * seq + t.length(), 1L);
    }
    OnnxTransformer.Output out = transformer.run(ids, typeIds, mask, size, seq);
    FloatBuffer values = out.values();
    for (int r = 0; r < size; r++) {
      int original = offset + order[from + r];
      int length = tokens[order[from + r]].length();
      float[] pooled;
      if (pooledOutput) {
        pooled = new float[out.hidden()];
        values.get(r * out.hidden(), pooled);
      } else {
        pooled = pooler.pool(values, r, out.seq(), out.hidden(), length, promptLength);
        if (tokenEmbeddings != null) {
          float[][] perToken = new float[length][out.hidden()];
          for (int t = 0; t < length; t++) {
            values.get((r * out.seq() + t) * out.hidden(), perToken[t]);
          }
          tokenEmbeddings.set(original, perToken);
        }
      }
      vectors[original] = postProcess(pooled, options);
    }
  }

  /**
   * sentence-transformers' order: the pipeline's Normalize module, then truncate_dim, then
   * normalize_embeddings=True (which renormalizes the truncated vector).
   */
  private float[] postProcess(float[] pooled, EncodeOptions options) {
    float[] v = pooled;
    if (config.normalize() && !Boolean.FALSE.equals(options.normalize())) {
      Vectors.normalizeInPlace(v);
    }
    Integer dim = options.truncateDim();
    if (dim != null && dim < v.length) {
      v = Arrays.copyOf(v, dim);
    }
    if (Boolean.TRUE.equals(options.normalize())) {
      Vectors.normalizeInPlace(v);
    }
    return v;
  }

  @Override
  public void close() {
    try {
      runner.close();
      for (OnnxTransformer t : transformers) {
        t.close();
      }
    } finally {
      tokenizer.close();
    }
  }
}
