package io.jembed.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.jembed.SentenceTransformer;
import io.jembed.engine.FusedModels;
import io.jembed.engine.graph.ProtoMessage;
import io.jembed.model.BundledModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Where the non-matrix time of the fused encoder graph goes, and what faster operators could give
 * at most. Two parts, both one ONNX Runtime thread:
 *
 * <ol>
 *   <li>Operators alone on one batch's tensors (tokens x 1536 for the activation, tokens x 384 for
 *       the layer norm): the Gelu jembed's graph runs, its erf, the tanh approximation, and a layer
 *       norm rebuilt from operators with vectorized kernels, in ns per value.
 *   <li>Upper bounds: the model's fused graph with Gelu, SkipLayerNormalization or
 *       MultiHeadAttention replaced by a cheap wrong operator (Identity, or a plain Add). Those
 *       graphs compute wrong vectors; their time says what a free operator would save.
 * </ol>
 *
 * <pre>
 * java -cp ... io.jembed.bench.OperatorCostBenchmark [--model all-MiniLM-L6-v2-int8] [--batch 18]
 *     [--tokens 14] [--rounds 4]
 * </pre>
 */
public final class OperatorCostBenchmark {
  private static final int HIDDEN = 384;
  private static final int INTERMEDIATE = 1536;
  private static final int TYPE_FLOAT = 1;
  private static final int TYPE_INT64 = 7;

  private OperatorCostBenchmark() {}

  public static void main(String[] args) throws Exception {
    String model = "all-MiniLM-L6-v2-int8";
    int batch = 18;
    int tokens = 14;
    int rounds = 4;
    for (int i = 0; i < args.length; i++) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + args[i]);
      }
      String value = args[i + 1];
      switch (args[i]) {
        case "--model" -> model = value;
        case "--batch" -> batch = Integer.parseInt(value);
        case "--tokens" -> tokens = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
      i++;
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(1);
      // the bound graphs leave initializers unused: ONNX Runtime would warn about each
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      operatorsAlone(env, options, batch * tokens, rounds);
      graphBounds(env, options, model, batch, tokens, rounds);
    }
  }

  // ---------------------------------------------------------------- operators alone

  static void operatorsAlone(
      OrtEnvironment env, OrtSession.SessionOptions options, int rows, int rounds)
      throws OrtException {
    Map<String, byte[]> activations = new LinkedHashMap<>();
    activations.put("Gelu (jembed's graph)", single("Gelu", "com.microsoft"));
    activations.put("Erf alone", single("Erf", ""));
    activations.put("FastGelu (tanh approximation)", single("FastGelu", "com.microsoft"));
    activations.put("Tanh", single("Tanh", ""));
    activations.put("Sigmoid", single("Sigmoid", ""));
    Graph mul = new Graph();
    mul.initializer("c", new float[] {0.7f});
    mul.node("Mul", "", List.of("x", "c"), List.of("y"));
    activations.put("Mul by a constant", mul.model(List.of("x"), 2, "y"));

    Map<String, byte[]> norms = new LinkedHashMap<>();
    norms.put("SkipLayerNormalization (jembed's graph)", skipLayerNorm());
    norms.put("Add, Add, LayerNormalization", addLayerNorm());
    norms.put("Add, Add, InstanceNormalization, Mul, Add", instanceNorm());

    float[] x = gaussian(rows * INTERMEDIATE, 1, 1.5f);
    float[] h = gaussian(rows * HIDDEN, 2, 1f);
    float[] skip = gaussian(rows * HIDDEN, 3, 1f);
    System.out.printf(
        Locale.ROOT,
        "# operators alone, one thread, %d tokens (activations %d x %d, layer norms %d x %d),"
            + " medians of 300 runs per round%n",
        rows,
        rows,
        INTERMEDIATE,
        rows,
        HIDDEN);
    Map<String, OrtSession> sessions = new LinkedHashMap<>();
    try {
      for (var e : activations.entrySet()) {
        sessions.put(e.getKey(), env.createSession(e.getValue(), options));
      }
      for (var e : norms.entrySet()) {
        sessions.put(e.getKey(), env.createSession(e.getValue(), options));
      }
      Map<String, double[]> nsPerValue = new LinkedHashMap<>();
      Map<String, float[]> outputs = new HashMap<>();
      for (int round = 0; round < rounds; round++) {
        for (var e : sessions.entrySet()) {
          boolean norm = norms.containsKey(e.getKey());
          Map<String, OnnxTensor> feed = new HashMap<>();
          try {
            if (norm) {
              feed.put("x", tensor(env, h, 1, rows, HIDDEN));
              feed.put("s", tensor(env, skip, 1, rows, HIDDEN));
            } else {
              feed.put("x", tensor(env, x, rows, INTERMEDIATE));
            }
            long[] times = new long[300];
            for (int i = 0; i < times.length; i++) {
              long t0 = System.nanoTime();
              try (OrtSession.Result r = e.getValue().run(feed)) {
                times[i] = System.nanoTime() - t0;
                if (i == 0 && round == 0) {
                  outputs.put(e.getKey(), floats((OnnxTensor) r.get(0)));
                }
              }
            }
            Arrays.sort(times);
            double values = norm ? (double) rows * HIDDEN : (double) rows * INTERMEDIATE;
            nsPerValue.computeIfAbsent(e.getKey(), k -> new double[rounds])[round] =
                times[times.length / 2] / values;
          } finally {
            feed.values().forEach(OnnxTensor::close);
          }
        }
      }
      float[] reference = outputs.get("SkipLayerNormalization (jembed's graph)");
      for (var e : nsPerValue.entrySet()) {
        double[] v = e.getValue().clone();
        Arrays.sort(v);
        String note = "";
        if (norms.containsKey(e.getKey()) && outputs.get(e.getKey()) != reference) {
          note =
              String.format(
                  Locale.ROOT,
                  "  (max difference from SkipLayerNormalization %.1e)",
                  maxDifference(reference, outputs.get(e.getKey())));
        }
        System.out.printf(
            Locale.ROOT,
            "%-45s %.2f-%.2f ns per value%s%n",
            e.getKey(),
            v[0],
            v[v.length - 1],
            note);
      }
    } finally {
      for (OrtSession s : sessions.values()) {
        s.close();
      }
    }
  }

  static byte[] single(String op, String domain) {
    Graph g = new Graph();
    g.node(op, domain, List.of("x"), List.of("y"));
    return g.model(List.of("x"), 2, "y");
  }

  static Graph normParameters() {
    Graph g = new Graph();
    float[] gamma = gaussian(HIDDEN, 4, 0.3f);
    for (int i = 0; i < HIDDEN; i++) {
      gamma[i] += 1f;
    }
    g.initializer("gamma", gamma, HIDDEN);
    g.initializer("beta", gaussian(HIDDEN, 5, 0.1f), HIDDEN);
    g.initializer("bias", gaussian(HIDDEN, 6, 0.1f), HIDDEN);
    return g;
  }

  static byte[] skipLayerNorm() {
    Graph g = normParameters();
    g.node(
        "SkipLayerNormalization",
        "com.microsoft",
        List.of("x", "s", "gamma", "beta", "bias"),
        List.of("y"),
        Graph.floatAttribute("epsilon", 1e-12f));
    return g.model(List.of("x", "s"), 3, "y");
  }

  static byte[] addLayerNorm() {
    Graph g = normParameters();
    g.node("Add", "", List.of("x", "bias"), List.of("xb"));
    g.node("Add", "", List.of("xb", "s"), List.of("sum"));
    g.node(
        "LayerNormalization",
        "",
        List.of("sum", "gamma", "beta"),
        List.of("y"),
        Graph.floatAttribute("epsilon", 1e-12f),
        Graph.intAttribute("axis", -1));
    return g.model(List.of("x", "s"), 3, "y");
  }

  /**
   * Layer norm over [1, tokens, 384] as an InstanceNormalization with one "channel" per token
   * (scale 1, bias 0, as many as there are tokens), then gamma and beta.
   */
  static byte[] instanceNorm() {
    Graph g = normParameters();
    g.initializerInt64("one_index", new long[] {1}, 1);
    g.node("Add", "", List.of("x", "bias"), List.of("xb"));
    g.node("Add", "", List.of("xb", "s"), List.of("sum"));
    g.node("Shape", "", List.of("sum"), List.of("shape"));
    g.node("Gather", "", List.of("shape", "one_index"), List.of("rows"));
    g.node("ConstantOfShape", "", List.of("rows"), List.of("ones"), Graph.fillAttribute(1f));
    g.node("ConstantOfShape", "", List.of("rows"), List.of("zeros"), Graph.fillAttribute(0f));
    g.node(
        "InstanceNormalization",
        "",
        List.of("sum", "ones", "zeros"),
        List.of("normalized"),
        Graph.floatAttribute("epsilon", 1e-12f));
    g.node("Mul", "", List.of("normalized", "gamma"), List.of("scaled"));
    g.node("Add", "", List.of("scaled", "beta"), List.of("y"));
    return g.model(List.of("x", "s"), 3, "y");
  }

  // ---------------------------------------------------------------- graph bounds

  static void graphBounds(
      OrtEnvironment env,
      OrtSession.SessionOptions options,
      String model,
      int batch,
      int tokens,
      int rounds)
      throws IOException, OrtException {
    Path onnx;
    try (SentenceTransformer m = SentenceTransformer.load(model)) {
      onnx = m.config().onnxFile();
    }
    Path fused = FusedModels.prepare(onnx, BundledModels.cacheRoot());
    if (fused.equals(onnx)) {
      System.out.println("# " + model + ": no fused graph (nothing to bound)");
      return;
    }
    Map<String, Set<String>> variants = new LinkedHashMap<>();
    variants.put("fused (what jembed runs)", Set.of());
    variants.put("Gelu free", Set.of("Gelu"));
    variants.put("layer norm free", Set.of("SkipLayerNormalization"));
    variants.put("attention free", Set.of("MultiHeadAttention"));
    variants.put("all three free", Set.of("Gelu", "SkipLayerNormalization", "MultiHeadAttention"));
    Path dir = Files.createTempDirectory("jembed-bounds");
    Map<String, OrtSession> sessions = new LinkedHashMap<>();
    try {
      Path data = fused.resolveSibling("model.onnx.data");
      if (Files.exists(data)) {
        Files.copy(data, dir.resolve("model.onnx.data"));
      }
      byte[] graph = Files.readAllBytes(fused);
      int k = 0;
      for (var e : variants.entrySet()) {
        Path file = dir.resolve("variant" + (k++) + ".onnx");
        Files.write(file, withoutOperators(graph, e.getValue()));
        sessions.put(e.getKey(), env.createSession(file.toString(), options));
      }
      System.out.printf(
          Locale.ROOT,
          "# %s: fused graph with operators replaced by cheap wrong ones, one thread, one batch of"
              + " %d x %d tokens, medians of 60 runs per round%n",
          model,
          batch,
          tokens);
      long[] ids = new long[batch * tokens];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = 1000 + (i * 37L) % 5000; // ordinary vocabulary ids
      }
      long[] typeIds = new long[ids.length];
      long[] mask = new long[ids.length];
      Arrays.fill(mask, 1);
      long[] shape = {batch, tokens};
      Map<String, double[]> ms = new LinkedHashMap<>();
      for (int round = 0; round < rounds; round++) {
        for (var e : sessions.entrySet()) {
          OrtSession session = e.getValue();
          long[] times = new long[60];
          Map<String, OnnxTensor> feed = new HashMap<>();
          try {
            feed.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            if (session.getInputNames().contains("token_type_ids")) {
              feed.put(
                  "token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(typeIds), shape));
            }
            if (session.getInputNames().contains("attention_mask")) {
              feed.put(
                  "attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            }
            for (int i = 0; i < times.length; i++) {
              long t0 = System.nanoTime();
              try (OrtSession.Result r = session.run(feed)) {
                times[i] = System.nanoTime() - t0;
              }
            }
          } finally {
            feed.values().forEach(OnnxTensor::close);
          }
          Arrays.sort(times);
          ms.computeIfAbsent(e.getKey(), x -> new double[rounds])[round] =
              times[times.length / 2] / 1e6;
        }
      }
      double base = EncodeBenchmark.median(ms.values().iterator().next());
      for (var e : ms.entrySet()) {
        double[] v = e.getValue().clone();
        Arrays.sort(v);
        double change = (EncodeBenchmark.median(e.getValue()) / base - 1) * 100;
        System.out.printf(
            Locale.ROOT,
            "%-28s %6.2f-%6.2f ms per batch  %+6.1f%%%n",
            e.getKey(),
            v[0],
            v[v.length - 1],
            change);
      }
    } finally {
      for (OrtSession s : sessions.values()) {
        s.close();
      }
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  /**
   * The graph with every node of the given operator types replaced: SkipLayerNormalization by an
   * Add of its first two inputs, anything else by an Identity of its first input.
   */
  static byte[] withoutOperators(byte[] modelBytes, Set<String> operators) {
    ProtoMessage model = ProtoMessage.parse(modelBytes);
    ProtoMessage graph = model.messages(7).get(0);
    List<ProtoMessage> nodes = new ArrayList<>();
    for (ProtoMessage node : graph.messages(1)) {
      String op = node.string(4);
      if (!operators.contains(op)) {
        nodes.add(node);
        continue;
      }
      List<String> inputs = node.strings(1);
      ProtoMessage cheap = new ProtoMessage().addString(1, inputs.get(0));
      if (op.equals("SkipLayerNormalization")) {
        cheap.addString(1, inputs.get(1));
      }
      cheap.addString(2, node.strings(2).get(0));
      cheap.addString(3, node.string(3));
      cheap.addString(4, op.equals("SkipLayerNormalization") ? "Add" : "Identity");
      nodes.add(cheap);
    }
    graph.replaceMessages(1, nodes);
    model.replaceMessages(7, List.of(graph));
    return model.toByteArray();
  }

  // ---------------------------------------------------------------- helpers

  /** A small ONNX graph written field by field (onnx.proto field numbers). */
  static final class Graph {
    private final ProtoMessage graph = new ProtoMessage();
    private int nodes;

    void node(
        String op,
        String domain,
        List<String> inputs,
        List<String> outputs,
        ProtoMessage... attributes) {
      ProtoMessage n = new ProtoMessage();
      inputs.forEach(i -> n.addString(1, i));
      outputs.forEach(o -> n.addString(2, o));
      n.addString(3, "node" + (nodes++));
      n.addString(4, op);
      for (ProtoMessage a : attributes) {
        n.addMessage(5, a);
      }
      if (!domain.isEmpty()) {
        n.addString(7, domain);
      }
      graph.addMessage(1, n);
    }

    void initializer(String name, float[] values, long... dims) {
      ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        raw.putFloat(v);
      }
      graph.addMessage(5, tensorProto(name, TYPE_FLOAT, raw.array(), dims));
    }

    void initializerInt64(String name, long[] values, long... dims) {
      ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        raw.putLong(v);
      }
      graph.addMessage(5, tensorProto(name, TYPE_INT64, raw.array(), dims));
    }

    byte[] model(List<String> inputs, int rank, String output) {
      inputs.forEach(i -> graph.addMessage(11, valueInfo(i, rank)));
      graph.addMessage(12, valueInfo(output, rank));
      graph.addString(2, "bench");
      ProtoMessage model = new ProtoMessage().addVarint(1, 8);
      model.addMessage(8, new ProtoMessage().addString(1, "").addVarint(2, 17));
      model.addMessage(8, new ProtoMessage().addString(1, "com.microsoft").addVarint(2, 1));
      model.addMessage(7, graph);
      return model.toByteArray();
    }

    static ProtoMessage tensorProto(String name, int type, byte[] raw, long... dims) {
      ProtoMessage t = new ProtoMessage();
      for (long d : dims) {
        t.addVarint(1, d);
      }
      t.addVarint(2, type);
      if (name != null) {
        t.addString(8, name);
      }
      return t.addBytes(9, raw);
    }

    static ProtoMessage valueInfo(String name, int rank) {
      ProtoMessage shape = new ProtoMessage();
      for (int i = 0; i < rank; i++) {
        shape.addMessage(1, new ProtoMessage().addString(2, "d" + i));
      }
      ProtoMessage tensorType = new ProtoMessage().addVarint(1, TYPE_FLOAT).addMessage(2, shape);
      return new ProtoMessage()
          .addString(1, name)
          .addMessage(2, new ProtoMessage().addMessage(1, tensorType));
    }

    static ProtoMessage floatAttribute(String name, float value) {
      return new ProtoMessage().addString(1, name).addFloat32(2, value).addVarint(20, 1);
    }

    static ProtoMessage intAttribute(String name, long value) {
      return new ProtoMessage().addString(1, name).addVarint(3, value).addVarint(20, 2);
    }

    /** ConstantOfShape's "value": a one-element float tensor. */
    static ProtoMessage fillAttribute(float value) {
      byte[] raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array();
      return new ProtoMessage()
          .addString(1, "value")
          .addMessage(5, tensorProto(null, TYPE_FLOAT, raw, 1))
          .addVarint(20, 4);
    }
  }

  static OnnxTensor tensor(OrtEnvironment env, float[] values, long... shape) throws OrtException {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
  }

  static float[] floats(OnnxTensor t) {
    FloatBuffer b = t.getFloatBuffer();
    float[] f = new float[b.remaining()];
    b.get(f);
    return f;
  }

  static float[] gaussian(int n, long seed, float scale) {
    Random random = new Random(seed);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) random.nextGaussian() * scale;
    }
    return f;
  }

  static double maxDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
