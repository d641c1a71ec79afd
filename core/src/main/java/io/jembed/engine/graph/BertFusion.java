package io.jembed.engine.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuses the encoder layers of a BERT-style ONNX graph, as saved by ONNX Runtime after its own
 * extended optimizations, into ONNX Runtime's CPU contrib operators: each self-attention block
 * (reshapes, transposes, scaled scores, mask, softmax, weighted sum: 12 nodes) becomes one
 * MultiHeadAttention, and each residual Add + LayerNormalization (with the projection's bias Add
 * when it has one) becomes one SkipLayerNormalization. ONNX Runtime leaves both patterns unfused in
 * the sentence-transformers exports (float32 and dynamically quantized int8 alike); fusing them
 * halves the node count. Measured on all-MiniLM-L6-v2 (docs/benchmarks.md): single queries 11-18%
 * faster; batches gained nothing until the mask went (below). The arithmetic is the same; callers
 * still check the vectors.
 *
 * <p>When every use of the attention mask is fused, the attention blocks get no mask at all and the
 * graph drops its attention_mask input: such a graph runs only batches without padding (the engine
 * batches texts of equal length), and in return ONNX Runtime runs its flash-attention kernel, which
 * it skips whenever a mask is given (int8 corpus encodes 4% faster end to end, 8% in raw sessions;
 * calls of a few mixed-length texts up to 63% faster, the pieces running in parallel). If the mask
 * is still read elsewhere, the blocks keep it and the graph keeps the input.
 *
 * <p>Patterns are matched on structure and constant values, never on node names; anything that does
 * not match exactly stays as it is.
 */
public final class BertFusion {
  // ONNX protobuf field numbers (onnx.proto)
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET = 8;
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION = 2;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int GRAPH_VALUE_INFO = 13;
  private static final int VALUE_NAME = 1;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int NODE_DOMAIN = 7;
  private static final int ATTR_NAME = 1;
  private static final int ATTR_F = 2;
  private static final int ATTR_I = 3;
  private static final int ATTR_INTS = 8;
  private static final int ATTR_TYPE = 20;
  private static final int ATTR_TYPE_FLOAT = 1;
  private static final int ATTR_TYPE_INT = 2;
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_FLOAT_DATA = 4;
  private static final int TENSOR_INT64_DATA = 7;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int TENSOR_DATA_LOCATION = 14;
  private static final int TYPE_FLOAT = 1;
  private static final int TYPE_INT32 = 6;
  private static final int TYPE_INT64 = 7;
  private static final String MS_DOMAIN = "com.microsoft";
  private static final String MASK_INT32 = "jembed_key_padding_mask_int32";

  /** Nodes whose output is a linear projection of a hidden state (residual branches end here). */
  private static final Set<String> PROJECTIONS =
      Set.of("MatMul", "FusedMatMul", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "Gemm");

  /**
   * The rewritten model and what was fused.
   *
   * @param unpaddedOnly the graph no longer takes an attention mask: feed it batches without
   *     padding
   */
  public record Result(byte[] model, int attentions, int skipLayerNorms, boolean unpaddedOnly) {
    public boolean changed() {
      return attentions + skipLayerNorms > 0;
    }
  }

  private static final class Node {
    final String opType;
    final String domain;
    final List<String> inputs;
    final List<String> outputs;
    final ProtoMessage proto;

    Node(ProtoMessage proto) {
      this.proto = proto;
      this.opType = proto.string(NODE_OP_TYPE);
      this.domain = proto.string(NODE_DOMAIN);
      this.inputs = proto.strings(NODE_INPUT);
      this.outputs = proto.strings(NODE_OUTPUT);
    }

    boolean is(String op) {
      return opType.equals(op) && (domain.isEmpty() || domain.equals("ai.onnx") || isMs());
    }

    boolean isMs() {
      return domain.equals(MS_DOMAIN);
    }

    String in(int i) {
      return i < inputs.size() ? inputs.get(i) : "";
    }

    ProtoMessage attribute(String name) {
      for (ProtoMessage a : proto.messages(NODE_ATTRIBUTE)) {
        if (a.string(ATTR_NAME).equals(name)) {
          return a;
        }
      }
      return null;
    }

    long intAttribute(String name, long fallback) {
      ProtoMessage a = attribute(name);
      return a == null ? fallback : a.varint(ATTR_I);
    }

    float floatAttribute(String name, float fallback) {
      ProtoMessage a = attribute(name);
      return a == null ? fallback : a.float32(ATTR_F, fallback);
    }

    List<Long> intsAttribute(String name) {
      ProtoMessage a = attribute(name);
      return a == null ? List.of() : a.int64s(ATTR_INTS);
    }
  }

  private final ProtoMessage model;
  private final ProtoMessage graph;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, ProtoMessage> initializers = new LinkedHashMap<>();
  private final Set<String> graphInputs = new HashSet<>();
  private final Set<String> graphOutputs = new HashSet<>();
  private final Map<String, Node> producer = new HashMap<>();
  private final Map<String, List<Node>> consumers = new HashMap<>();
  private final List<ProtoMessage> newInitializers = new ArrayList<>();
  private final Set<Node> removed = new HashSet<>();
  private final Map<Node, Node> replacements = new HashMap<>();
  private boolean maskCastAdded;

  /** Whether attention blocks are fused without their key-padding mask. */
  private final boolean maskFree;

  /** The mask input the fused blocks no longer read (in mask-free fusion). */
  private String droppedMask;

  private BertFusion(byte[] modelProto, boolean maskFree) {
    this.maskFree = maskFree;
    this.model = ProtoMessage.parse(modelProto);
    byte[] graphBytes = model.bytes(MODEL_GRAPH);
    if (graphBytes == null) {
      throw new IllegalArgumentException("not an ONNX model: no graph");
    }
    this.graph = ProtoMessage.parse(graphBytes);
    for (ProtoMessage n : graph.messages(GRAPH_NODE)) {
      nodes.add(new Node(n));
    }
    for (ProtoMessage t : graph.messages(GRAPH_INITIALIZER)) {
      initializers.put(t.string(TENSOR_NAME), t);
    }
    for (ProtoMessage v : graph.messages(GRAPH_INPUT)) {
      graphInputs.add(v.string(VALUE_NAME));
    }
    for (ProtoMessage v : graph.messages(GRAPH_OUTPUT)) {
      graphOutputs.add(v.string(VALUE_NAME));
    }
    for (Node n : nodes) {
      n.outputs.forEach(o -> producer.put(o, n));
      n.inputs.forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
    }
  }

  /** Fuses what matches; returns the input unchanged (same bytes) when nothing does. */
  public static Result fuse(byte[] modelProto) {
    Result maskFree = fuse(modelProto, true);
    return maskFree != null ? maskFree : fuse(modelProto, false);
  }

  /** The fusion, or null when mask-free fusion left the mask in use. */
  private static Result fuse(byte[] modelProto, boolean maskFree) {
    BertFusion f = new BertFusion(modelProto, maskFree);
    int attentions = 0;
    for (Node n : List.copyOf(f.nodes)) {
      if (n.is("Softmax") && f.fuseAttention(n)) {
        attentions++;
      }
    }
    int skips = 0;
    for (Node n : List.copyOf(f.nodes)) {
      if (n.is("LayerNormalization") && !f.removed.contains(n) && f.fuseSkipLayerNorm(n)) {
        skips++;
      }
    }
    if (attentions + skips == 0) {
      return new Result(modelProto, 0, 0, false);
    }
    byte[] written = f.write();
    if (written == null) {
      return null;
    }
    return new Result(written, attentions, skips, f.droppedMask != null);
  }

  // ---- attention ----

  private boolean fuseAttention(Node softmax) {
    long axis = softmax.intAttribute("axis", -1);
    if (axis != -1 && axis != 3) {
      return false;
    }
    // scores (+ mask) -> softmax
    Node scores = single(softmax.in(0));
    String maskInput = null;
    float maskFilter = 0;
    List<Node> pattern = new ArrayList<>(List.of(softmax));
    if (scores != null && scores.is("Add")) {
      Node add = scores;
      MaskTerm mask = maskTerm(add.in(1));
      Node s = single(add.in(0));
      if (mask == null) {
        mask = maskTerm(add.in(0));
        s = single(add.in(1));
      }
      if (mask == null || s == null) {
        return false;
      }
      pattern.add(add);
      maskInput = mask.input;
      maskFilter = mask.filterValue;
      scores = s;
    }
    if (scores == null
        || !scores.opType.equals("FusedMatMul")
        || !scores.isMs()
        || scores.intAttribute("transA", 0) != 0
        || scores.intAttribute("transBatchA", 0) != 0
        || scores.intAttribute("transBatchB", 0) != 0) {
      return false;
    }
    pattern.add(scores);
    float scale = scores.floatAttribute("alpha", 1f);
    boolean keyTransposedInMatMul = scores.intAttribute("transB", 0) == 1;
    Head q = splitHeads(scores.in(0), List.of(0L, 2L, 1L, 3L), pattern);
    Head k =
        splitHeads(
            scores.in(1),
            keyTransposedInMatMul ? List.of(0L, 2L, 1L, 3L) : List.of(0L, 2L, 3L, 1L),
            pattern);
    // softmax -> weighted sum of values -> merge heads
    List<Node> afterSoftmax = consumers.getOrDefault(softmax.outputs.get(0), List.of());
    if (q == null
        || k == null
        || afterSoftmax.size() != 1
        || graphOutputs.contains(softmax.outputs.get(0))) {
      return false;
    }
    Node weighted = afterSoftmax.get(0);
    if (!weighted.is("MatMul") || !weighted.in(0).equals(softmax.outputs.get(0))) {
      return false;
    }
    pattern.add(weighted);
    Head v = splitHeads(weighted.in(1), List.of(0L, 2L, 1L, 3L), pattern);
    Node merge = onlyConsumer(weighted.outputs.get(0));
    if (v == null
        || merge == null
        || !merge.is("Transpose")
        || !merge.intsAttribute("perm").equals(List.of(0L, 2L, 1L, 3L))) {
      return false;
    }
    pattern.add(merge);
    Node reshape = onlyConsumer(merge.outputs.get(0));
    if (reshape == null || !reshape.is("Reshape")) {
      return false;
    }
    long[] shape = int64Constant(reshape.in(1));
    if (q.heads != k.heads
        || q.heads != v.heads
        || q.headSize != k.headSize
        || shape == null
        || shape.length != 3
        || shape[0] != 0
        || shape[1] != 0
        || shape[2] != (long) v.heads * v.headSize) {
      return false;
    }
    pattern.add(reshape);
    for (Node n : pattern) {
      if (removed.contains(n)) {
        return false;
      }
    }

    List<String> inputs = new ArrayList<>(List.of(q.input, k.input, v.input, ""));
    Bias qb = stripBias(q.input);
    Bias kb = stripBias(k.input);
    Bias vb = stripBias(v.input);
    if (qb != null && kb != null && vb != null) {
      String name = uniqueName(q.input + "_qkv_bias");
      newInitializers.add(floatTensor(name, concat(qb.values, kb.values, vb.values)));
      inputs = new ArrayList<>(List.of(qb.input, kb.input, vb.input, name));
      pattern.addAll(List.of(qb.add, kb.add, vb.add));
    }
    ProtoMessage mha = newNode("MultiHeadAttention", MS_DOMAIN, reshape.outputs.get(0));
    if (maskInput != null && maskFree) {
      droppedMask = maskInput;
    } else if (maskInput != null) {
      addMaskCast(maskInput);
      inputs.add(MASK_INT32);
      floatAttribute(mha, "mask_filter_value", maskFilter);
    }
    while (inputs.get(inputs.size() - 1).isEmpty()) {
      inputs.remove(inputs.size() - 1);
    }
    inputs.forEach(i -> mha.addString(NODE_INPUT, i));
    intAttribute(mha, "num_heads", q.heads);
    floatAttribute(mha, "scale", scale);
    replace(pattern, reshape, mha);
    return true;
  }

  private record Head(String input, int heads, int headSize) {}

  /** {@code Transpose(perm)(Reshape(input, [0, 0, heads, headSize]))}, each used once. */
  private Head splitHeads(String tensor, List<Long> perm, List<Node> pattern) {
    Node transpose = single(tensor);
    if (transpose == null
        || !transpose.is("Transpose")
        || !transpose.intsAttribute("perm").equals(perm)) {
      return null;
    }
    Node reshape = single(transpose.in(0));
    if (reshape == null || !reshape.is("Reshape")) {
      return null;
    }
    long[] shape = int64Constant(reshape.in(1));
    if (shape == null
        || shape.length != 4
        || shape[0] != 0
        || shape[1] != 0
        || shape[2] <= 0
        || shape[3] <= 0) {
      return null;
    }
    pattern.add(transpose);
    pattern.add(reshape);
    return new Head(reshape.in(0), (int) shape[2], (int) shape[3]);
  }

  private record MaskTerm(String input, float filterValue) {}

  /**
   * The additive key-padding mask {@code (1 - float(unsqueeze(mask, [1, 2]))) * filter} of a graph
   * input mask of shape [batch, keys]. Its nodes are shared by all layers and are dropped only when
   * nothing uses them any more.
   */
  private MaskTerm maskTerm(String tensor) {
    Node mul = producer.get(tensor);
    if (mul == null || !mul.is("Mul")) {
      return null;
    }
    Float filter = scalarFloat(mul.in(1));
    Node sub = producer.get(mul.in(0));
    if (filter == null) {
      filter = scalarFloat(mul.in(0));
      sub = producer.get(mul.in(1));
    }
    if (filter == null || sub == null || !sub.is("Sub")) {
      return null;
    }
    Float one = scalarFloat(sub.in(0));
    if (one == null || one != 1f) {
      return null;
    }
    Node cast = producer.get(sub.in(1));
    if (cast == null || !cast.is("Cast") || cast.intAttribute("to", 0) != TYPE_FLOAT) {
      return null;
    }
    String source = cast.in(0);
    List<Long> axes = new ArrayList<>();
    Node unsqueeze;
    while ((unsqueeze = producer.get(source)) != null && unsqueeze.is("Unsqueeze")) {
      List<Long> these = unsqueeze.intsAttribute("axes");
      if (these.isEmpty() && unsqueeze.inputs.size() > 1) {
        long[] constant = int64Constant(unsqueeze.in(1));
        if (constant == null) {
          return null;
        }
        these = java.util.Arrays.stream(constant).boxed().toList();
      }
      axes.addAll(0, these);
      source = unsqueeze.in(0);
    }
    List<Long> sorted = axes.stream().sorted().toList();
    if (!graphInputs.contains(source) || !sorted.equals(List.of(1L, 2L))) {
      return null;
    }
    return new MaskTerm(source, filter);
  }

  private void addMaskCast(String maskInput) {
    if (maskCastAdded) {
      return;
    }
    maskCastAdded = true;
    ProtoMessage cast = newNode("Cast", "", MASK_INT32);
    cast.addString(NODE_INPUT, maskInput);
    intAttribute(cast, "to", TYPE_INT32);
    Node node = new Node(cast);
    nodes.add(0, node);
  }

  // ---- skip layer normalization ----

  private boolean fuseSkipLayerNorm(Node norm) {
    long axis = norm.intAttribute("axis", -1);
    if (axis != -1 || norm.outputs.size() != 1 || norm.inputs.size() < 2) {
      return false;
    }
    Node add = single(norm.in(0));
    if (add == null || !add.is("Add") || removed.contains(add)) {
      return false;
    }
    String a = add.in(0);
    String b = add.in(1);
    if (initializers.containsKey(a) || initializers.containsKey(b)) {
      return false;
    }
    // the residual branch ends in a projection (possibly + bias); the embedding sums do not
    String input = null;
    String skip = null;
    Bias bias = null;
    for (String[] order : new String[][] {{a, b}, {b, a}}) {
      Bias candidate = stripBias(order[0]);
      if (isProjection(candidate != null ? candidate.input : order[0])) {
        input = order[0];
        skip = order[1];
        bias = candidate;
        break;
      }
    }
    if (input == null) {
      return false;
    }
    List<Node> pattern = new ArrayList<>(List.of(add, norm));
    ProtoMessage fused = newNode("SkipLayerNormalization", MS_DOMAIN, norm.outputs.get(0));
    fused.addString(NODE_INPUT, bias != null ? bias.input : input);
    fused.addString(NODE_INPUT, skip);
    fused.addString(NODE_INPUT, norm.in(1));
    fused.addString(NODE_INPUT, norm.in(2));
    if (bias != null) {
      fused.addString(NODE_INPUT, bias.biasName);
      pattern.add(bias.add);
    }
    floatAttribute(fused, "epsilon", norm.floatAttribute("epsilon", 1e-5f));
    replace(pattern, norm, fused);
    return true;
  }

  private boolean isProjection(String tensor) {
    Node p = producer.get(tensor);
    return p != null && PROJECTIONS.contains(p.opType);
  }

  // ---- shared helpers ----

  private record Bias(String input, String biasName, float[] values, Node add) {}

  /** {@code Add(x, bias)} with a 1-D float constant bias, used once: x and the bias. */
  private Bias stripBias(String tensor) {
    Node add = single(tensor);
    if (add == null || !add.is("Add") || removed.contains(add)) {
      return null;
    }
    for (int i = 0; i < 2; i++) {
      String bias = add.in(i);
      String x = add.in(1 - i);
      ProtoMessage t = initializers.get(bias);
      if (t != null && !initializers.containsKey(x) && t.int64s(TENSOR_DIMS).size() == 1) {
        float[] values = floats(t);
        if (values != null) {
          return new Bias(x, bias, values, add);
        }
      }
    }
    return null;
  }

  /** The node producing {@code tensor} if that tensor has exactly one consumer. */
  private Node single(String tensor) {
    Node p = producer.get(tensor);
    if (p == null || graphOutputs.contains(tensor)) {
      return null;
    }
    List<Node> users = consumers.getOrDefault(tensor, List.of());
    return users.size() == 1 ? p : null;
  }

  private Node onlyConsumer(String tensor) {
    List<Node> users = consumers.getOrDefault(tensor, List.of());
    return users.size() == 1 && !graphOutputs.contains(tensor) ? users.get(0) : null;
  }

  private long[] int64Constant(String name) {
    ProtoMessage t = initializers.get(name);
    if (t == null || t.varint(TENSOR_DATA_TYPE) != TYPE_INT64 || external(t)) {
      return null;
    }
    byte[] raw = t.bytes(TENSOR_RAW_DATA);
    if (raw != null) {
      ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      long[] out = new long[raw.length / 8];
      for (int i = 0; i < out.length; i++) {
        out[i] = buf.getLong();
      }
      return out;
    }
    return t.int64s(TENSOR_INT64_DATA).stream().mapToLong(Long::longValue).toArray();
  }

  private Float scalarFloat(String name) {
    ProtoMessage t = initializers.get(name);
    if (t == null) {
      return null;
    }
    float[] values = floats(t);
    return values != null && values.length == 1 ? values[0] : null;
  }

  private static float[] floats(ProtoMessage t) {
    if (t.varint(TENSOR_DATA_TYPE) != TYPE_FLOAT || external(t)) {
      return null;
    }
    byte[] raw = t.bytes(TENSOR_RAW_DATA);
    if (raw == null) {
      raw = t.bytes(TENSOR_FLOAT_DATA); // packed repeated float
    }
    if (raw == null) {
      List<Float> unpacked = new ArrayList<>();
      for (ProtoMessage.Field f : t.fields()) {
        if (f.number() == TENSOR_FLOAT_DATA && f.wireType() == ProtoMessage.FIXED32) {
          unpacked.add(Float.intBitsToFloat((int) f.value()));
        }
      }
      if (unpacked.isEmpty()) {
        return null;
      }
      float[] out = new float[unpacked.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = unpacked.get(i);
      }
      return out;
    }
    ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[raw.length / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = buf.getFloat();
    }
    return out;
  }

  private static boolean external(ProtoMessage tensor) {
    return tensor.varint(TENSOR_DATA_LOCATION) == 1;
  }

  private static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static ProtoMessage floatTensor(String name, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return new ProtoMessage()
        .addVarint(TENSOR_DIMS, values.length)
        .addVarint(TENSOR_DATA_TYPE, TYPE_FLOAT)
        .addString(TENSOR_NAME, name)
        .addBytes(TENSOR_RAW_DATA, raw.array());
  }

  private String uniqueName(String base) {
    String name = base;
    for (int i = 1; producer.containsKey(name) || initializers.containsKey(name); i++) {
      name = base + "_" + i;
    }
    initializers.put(name, new ProtoMessage()); // reserve
    return name;
  }

  private static ProtoMessage newNode(String opType, String domain, String output) {
    ProtoMessage node = new ProtoMessage();
    node.addString(NODE_OUTPUT, output);
    node.addString(NODE_NAME, "jembed_" + opType + "_" + output);
    node.addString(NODE_OP_TYPE, opType);
    if (!domain.isEmpty()) {
      node.addString(NODE_DOMAIN, domain);
    }
    return node;
  }

  private static void intAttribute(ProtoMessage node, String name, long value) {
    node.addMessage(
        NODE_ATTRIBUTE,
        new ProtoMessage()
            .addString(ATTR_NAME, name)
            .addVarint(ATTR_I, value)
            .addVarint(ATTR_TYPE, ATTR_TYPE_INT));
  }

  private static void floatAttribute(ProtoMessage node, String name, float value) {
    node.addMessage(
        NODE_ATTRIBUTE,
        new ProtoMessage()
            .addString(ATTR_NAME, name)
            .addFloat32(ATTR_F, value)
            .addVarint(ATTR_TYPE, ATTR_TYPE_FLOAT));
  }

  /**
   * Drops the pattern's nodes and puts the fused node where {@code last} was: its inputs are all
   * computed before that point, so the node list stays in topological order.
   */
  private void replace(List<Node> pattern, Node last, ProtoMessage fused) {
    removed.addAll(pattern);
    Node node = new Node(fused);
    replacements.put(last, node);
    for (Node n : pattern) {
      for (String i : n.inputs) {
        List<Node> users = consumers.get(i);
        if (users != null) {
          users.remove(n);
        }
      }
    }
    for (String i : node.inputs) {
      consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(node);
    }
    node.outputs.forEach(o -> producer.put(o, node));
  }

  /** The rewritten model, or null when mask-free fusion left the mask input in use. */
  private byte[] write() {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      Node replacement = replacements.get(n);
      if (replacement != null) {
        out.add(replacement);
      } else if (!removed.contains(n)) {
        out.add(n);
      }
    }
    // drop what nothing reads any more (the shared mask nodes once every layer is fused)
    boolean changed = true;
    while (changed) {
      changed = false;
      Set<String> used = new HashSet<>(graphOutputs);
      out.forEach(n -> used.addAll(n.inputs));
      for (var it = out.iterator(); it.hasNext(); ) {
        Node n = it.next();
        if (n.outputs.stream().noneMatch(used::contains)) {
          it.remove();
          changed = true;
        }
      }
    }
    Set<String> used = new HashSet<>(graphOutputs);
    Set<String> produced = new HashSet<>(graphInputs);
    out.forEach(n -> used.addAll(n.inputs));
    if (droppedMask != null) {
      if (used.contains(droppedMask)) {
        return null; // an unfused layer (or something else) still reads the mask
      }
      graph.replaceMessages(
          GRAPH_INPUT,
          graph.messages(GRAPH_INPUT).stream()
              .filter(v -> !v.string(VALUE_NAME).equals(droppedMask))
              .toList());
    }
    out.forEach(n -> produced.addAll(n.outputs));
    List<ProtoMessage> keptInitializers = new ArrayList<>();
    for (ProtoMessage t : graph.messages(GRAPH_INITIALIZER)) {
      if (used.contains(t.string(TENSOR_NAME))) {
        keptInitializers.add(t);
      }
    }
    keptInitializers.addAll(newInitializers);
    List<ProtoMessage> valueInfo = new ArrayList<>();
    for (ProtoMessage v : graph.messages(GRAPH_VALUE_INFO)) {
      if (produced.contains(v.string(VALUE_NAME))) {
        valueInfo.add(v);
      }
    }
    graph.replaceMessages(GRAPH_NODE, out.stream().map(n -> n.proto).toList());
    graph.replaceMessages(GRAPH_INITIALIZER, keptInitializers);
    graph.replaceMessages(GRAPH_VALUE_INFO, valueInfo);

    List<ProtoMessage> opsets = model.messages(MODEL_OPSET);
    boolean hasMs = opsets.stream().anyMatch(o -> o.string(OPSET_DOMAIN).equals(MS_DOMAIN));
    if (!hasMs) {
      List<ProtoMessage> extended = new ArrayList<>(opsets);
      extended.add(
          new ProtoMessage().addString(OPSET_DOMAIN, MS_DOMAIN).addVarint(OPSET_VERSION, 1));
      model.replaceMessages(MODEL_OPSET, extended);
    }
    List<ProtoMessage> graphs = List.of(graph);
    model.replaceMessages(MODEL_GRAPH, graphs);
    return model.toByteArray();
  }
}
