package io.jembed.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.jembed.JembedException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX Runtime session for a transformer that maps token ids to token embeddings. Shared by all
 * threads: ONNX Runtime's Run is thread-safe.
 */
public final class OnnxTransformer implements AutoCloseable {
  private static final Set<String> KNOWN_INPUTS =
      Set.of("input_ids", "attention_mask", "token_type_ids");

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String outputName;
  private final boolean pooledOutput;
  private final boolean wantsTypeIds;
  private final boolean wantsMask;
  private final int hiddenSize;

  private OnnxTransformer(
      OrtEnvironment env,
      OrtSession session,
      String outputName,
      boolean pooledOutput,
      boolean wantsTypeIds,
      boolean wantsMask,
      int hiddenSize) {
    this.env = env;
    this.session = session;
    this.outputName = outputName;
    this.pooledOutput = pooledOutput;
    this.wantsTypeIds = wantsTypeIds;
    this.wantsMask = wantsMask;
    this.hiddenSize = hiddenSize;
  }

  /**
   * Takes one more reference on ONNX Runtime's native environment, never given back. Its Java
   * binding releases the environment in a shutdown hook that runs alongside every other hook, so
   * without this a session created during the JVM's exit finds it freed. The binding keeps the
   * environment once per process; a second handle from the same native call only counts a reference
   * (ONNX Runtime's OrtEnv is reference-counted). Best effort: where reflection is refused (the
   * module path), nothing changes.
   */
  static void holdEnvironmentUntilExit() {
    try {
      OrtEnvironment.getEnvironment(); // the binding's own handle first
      Class<?> runtime = Class.forName("ai.onnxruntime.OnnxRuntime");
      java.lang.reflect.Field api = runtime.getDeclaredField("ortApiHandle");
      api.setAccessible(true);
      java.lang.reflect.Method createHandle =
          OrtEnvironment.class.getDeclaredMethod(
              "createHandle", long.class, int.class, String.class);
      createHandle.setAccessible(true);
      createHandle.invoke(
          null,
          api.getLong(null),
          ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING.getValue(),
          "jembed");
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.getLogger(OnnxTransformer.class.getName())
          .log(System.Logger.Level.DEBUG, "cannot hold ONNX Runtime's environment: " + e);
    }
  }

  /**
   * Opens the model.
   *
   * @param threads intra-op threads (0 = ONNX Runtime's default: one per physical core)
   * @param device "cpu", "cuda" or "cuda:N"
   * @param sessionConfig ONNX Runtime session configuration entries (SessionOptions config keys)
   */
  public static OnnxTransformer open(
      Path onnxFile, int threads, String device, Map<String, String> sessionConfig) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (!Boolean.parseBoolean(System.getProperty("jembed.ort.arena", "true"))) {
        // measured (bench MemoryBenchmark): without ONNX Runtime's arena, malloc's per-thread
        // arenas hold even more memory, so the arena stays on unless asked otherwise
        options.setCPUArenaAllocator(false);
        options.setMemoryPatternOptimization(false);
      }
      if (threads > 0) {
        options.setIntraOpNumThreads(threads);
      }
      for (Map.Entry<String, String> entry : sessionConfig.entrySet()) {
        options.addConfigEntry(entry.getKey(), entry.getValue());
      }
      addDevice(options, device);
      session = env.createSession(onnxFile.toString(), options);
    } catch (OrtException e) {
      String suspects =
          sessionConfig.isEmpty()
              ? "corrupt or incompatible ONNX file?"
              : "corrupt or incompatible ONNX file, or a bad ortConfig entry in "
                  + sessionConfig
                  + "?";
      throw new JembedException(
          "cannot load ONNX model " + onnxFile + " (" + suspects + "): " + e.getMessage(), e);
    }
    try {
      return inspect(env, session, onnxFile);
    } catch (RuntimeException | OrtException e) {
      try {
        session.close();
      } catch (OrtException ignored) {
        // already failing
      }
      if (e instanceof JembedException je) {
        throw je;
      }
      throw new JembedException("cannot inspect ONNX model " + onnxFile + ": " + e.getMessage(), e);
    }
  }

  private static void addDevice(OrtSession.SessionOptions options, String device)
      throws OrtException {
    if (device == null || device.isBlank() || device.equalsIgnoreCase("cpu")) {
      return;
    }
    String d = device.trim().toLowerCase(java.util.Locale.ROOT);
    if (!d.startsWith("cuda")) {
      throw new JembedException("unknown device '" + device + "': expected cpu, cuda or cuda:N");
    }
    int id = 0;
    if (d.startsWith("cuda:")) {
      try {
        id = Integer.parseInt(d.substring(5));
      } catch (NumberFormatException e) {
        throw new JembedException("bad device '" + device + "': expected cuda:N with a number");
      }
    }
    try {
      options.addCUDA(id);
    } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
      throw new JembedException(
          "device "
              + device
              + " is not available: CUDA needs the com.microsoft.onnxruntime:onnxruntime_gpu"
              + " artifact instead of onnxruntime, an NVIDIA GPU and its CUDA libraries ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  private static OnnxTransformer inspect(OrtEnvironment env, OrtSession session, Path file)
      throws OrtException {
    Set<String> inputs = session.getInputNames();
    if (!inputs.contains("input_ids")) {
      throw new JembedException(
          "incompatible ONNX model "
              + file
              + ": it has no input_ids input (inputs: "
              + inputs
              + ")");
    }
    for (String in : inputs) {
      if (!KNOWN_INPUTS.contains(in)) {
        throw new JembedException(
            "incompatible ONNX model "
                + file
                + ": unsupported input '"
                + in
                + "' (jembed feeds input_ids, attention_mask, token_type_ids)");
      }
    }
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    String name = null;
    for (String preferred : new String[] {"last_hidden_state", "token_embeddings"}) {
      if (outputs.containsKey(preferred)) {
        name = preferred;
        break;
      }
    }
    if (name == null) {
      name = outputs.keySet().iterator().next();
    }
    if (!(outputs.get(name).getInfo() instanceof TensorInfo info)) {
      throw new JembedException(
          "incompatible ONNX model " + file + ": output '" + name + "' is not a tensor");
    }
    long[] shape = info.getShape();
    if (shape.length != 3 && shape.length != 2) {
      throw new JembedException(
          "incompatible ONNX model "
              + file
              + ": output '"
              + name
              + "' has rank "
              + shape.length
              + ", expected token embeddings [batch, sequence, hidden]");
    }
    int hidden = (int) shape[shape.length - 1];
    return new OnnxTransformer(
        env,
        session,
        name,
        shape.length == 2,
        inputs.contains("token_type_ids"),
        inputs.contains("attention_mask"),
        hidden);
  }

  /** Hidden size declared by the model, or -1 when dynamic. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** Whether the model already outputs one vector per text (no pooling needed). */
  public boolean pooledOutput() {
    return pooledOutput;
  }

  /**
   * Whether the graph takes an attention mask, so batches may be padded. A graph without one (a
   * fused graph, {@link io.jembed.engine.graph.BertFusion}) runs only rows of equal length.
   */
  public boolean acceptsPadding() {
    return wantsMask;
  }

  /** The output of one forward pass. */
  public record Output(FloatBuffer values, int batch, int seq, int hidden) {}

  /**
   * Runs a right-padded batch.
   *
   * @param ids token ids, row-major [batch][seq]
   * @param typeIds token type ids, same shape
   * @param mask attention mask, same shape
   * @throws IllegalArgumentException if the batch is padded and the graph takes no mask
   */
  public Output run(long[] ids, long[] typeIds, long[] mask, int batch, int seq) {
    if (!wantsMask) {
      for (int i = 0; i < batch * seq; i++) {
        if (mask[i] == 0) {
          throw new IllegalArgumentException(
              "padded batch (row "
                  + i / seq
                  + " ends at token "
                  + i % seq
                  + " of "
                  + seq
                  + ") for a graph without an attention mask: batch texts of equal length");
        }
      }
    }
    long[] shape = {batch, seq};
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      feed.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      if (wantsMask) {
        feed.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      }
      if (wantsTypeIds) {
        feed.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(typeIds), shape));
      }
      try (OrtSession.Result result = session.run(feed, Set.of(outputName))) {
        OnnxTensor out = (OnnxTensor) result.get(0);
        long[] outShape = out.getInfo().getShape();
        FloatBuffer values = out.getFloatBuffer();
        int hidden = (int) outShape[outShape.length - 1];
        int outSeq = outShape.length == 3 ? (int) outShape[1] : 1;
        return new Output(values, batch, outSeq, hidden);
      }
    } catch (OrtException e) {
      throw new JembedException(
          "ONNX Runtime failed on a batch of " + batch + ": " + e.getMessage(), e);
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new JembedException("cannot close ONNX session: " + e.getMessage(), e);
    }
  }
}
