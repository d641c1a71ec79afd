package io.jembed.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.JembedException;
import io.jembed.ModelNotFoundException;
import io.jembed.SimilarityFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A sentence-transformers model folder, read as sentence-transformers reads it: modules.json,
 * sentence_bert_config.json, config_sentence_transformers.json, the Pooling module's config.json, a
 * Normalize module, tokenizer.json and the ONNX export.
 *
 * @param directory the model folder
 * @param onnxFile the ONNX weights
 * @param tokenizerFile tokenizer.json
 * @param maxSeqLength the Transformer's max_seq_length: longer input is truncated
 * @param doLowerCase lower-case the text before tokenizing (sentence_bert_config.json)
 * @param architecture e.g. "BertModel" (config.json), or "" when unknown
 * @param pooling the Pooling module
 * @param normalize whether a Normalize module follows pooling
 * @param prompts named prompts from config_sentence_transformers.json
 * @param defaultPromptName the prompt used when none is chosen, or null
 * @param similarity similarity_fn_name (cosine when absent)
 */
public record PipelineConfig(
    Path directory,
    Path onnxFile,
    Path tokenizerFile,
    int maxSeqLength,
    boolean doLowerCase,
    String architecture,
    PoolingConfig pooling,
    boolean normalize,
    Map<String, String> prompts,
    String defaultPromptName,
    SimilarityFunction similarity) {

  private static final System.Logger LOG = System.getLogger(PipelineConfig.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  public PipelineConfig {
    prompts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
  }

  /**
   * Reads a model folder.
   *
   * @param onnxVariant a path relative to the Transformer folder ("onnx/model_qint8_avx512.onnx"),
   *     or null for onnx/model.onnx, then model.onnx
   */
  public static PipelineConfig read(Path directory, String onnxVariant) {
    if (!Files.isDirectory(directory)) {
      throw new ModelNotFoundException("model folder " + directory + " does not exist", List.of());
    }
    Path transformerDir = directory;
    PoolingConfig pooling = null;
    boolean normalize = false;
    boolean hasModules = Files.isRegularFile(directory.resolve("modules.json"));
    if (hasModules) {
      JsonNode modules = readJson(directory.resolve("modules.json"));
      if (!modules.isArray()) {
        throw new JembedException(
            directory.resolve("modules.json") + " is not a JSON array of modules");
      }
      for (JsonNode module : modules) {
        String type = module.path("type").asText("");
        String path = module.path("path").asText("");
        Path moduleDir = directory.resolve(path);
        String simple = type.substring(type.lastIndexOf('.') + 1);
        switch (simple) {
          case "Transformer" -> transformerDir = moduleDir;
          case "Pooling" -> pooling = readPooling(moduleDir.resolve("config.json"));
          case "Normalize" -> normalize = true;
          default ->
              throw new JembedException(
                  "module '"
                      + type
                      + "' in "
                      + directory.resolve("modules.json")
                      + " is not supported: jembed runs Transformer, Pooling and Normalize modules");
        }
      }
    }

    JsonNode sbert = readJsonIfPresent(transformerDir.resolve("sentence_bert_config.json"));
    JsonNode hfConfig = readJsonIfPresent(transformerDir.resolve("config.json"));
    JsonNode tokenizerConfig = readJsonIfPresent(transformerDir.resolve("tokenizer_config.json"));
    JsonNode stConfig = readJsonIfPresent(directory.resolve("config_sentence_transformers.json"));

    int maxSeqLength = maxSeqLength(sbert, tokenizerConfig, hfConfig);
    boolean doLowerCase = sbert.path("do_lower_case").asBoolean(false);
    String architecture = architecture(hfConfig);

    if (pooling == null) {
      if (hasModules) {
        throw new JembedException(
            directory.resolve("modules.json") + " lists no Pooling module; jembed needs one");
      }
      int hidden = hfConfig.path("hidden_size").asInt(0);
      if (hidden <= 0) {
        throw new JembedException(
            directory
                + " is not a sentence-transformers model (no modules.json) and its config.json gives no"
                + " hidden_size");
      }
      // sentence-transformers does the same: a plain transformer gets mean pooling
      LOG.log(
          System.Logger.Level.WARNING,
          "No sentence-transformers configuration in {0}: using mean pooling without normalization",
          directory);
      pooling = new PoolingConfig(hidden, EnumSet.of(PoolingMode.MEAN), true);
    }

    Map<String, String> prompts = new LinkedHashMap<>();
    JsonNode promptNode = stConfig.path("prompts");
    for (Iterator<Map.Entry<String, JsonNode>> it = promptNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      prompts.put(e.getKey(), e.getValue().asText());
    }
    String defaultPromptName =
        stConfig.hasNonNull("default_prompt_name")
            ? stConfig.get("default_prompt_name").asText()
            : null;
    if (defaultPromptName != null && !prompts.containsKey(defaultPromptName)) {
      throw new JembedException(
          "default_prompt_name '"
              + defaultPromptName
              + "' in "
              + directory.resolve("config_sentence_transformers.json")
              + " is not one of the prompts "
              + prompts.keySet());
    }
    SimilarityFunction similarity =
        stConfig.hasNonNull("similarity_fn_name")
            ? SimilarityFunction.parse(stConfig.get("similarity_fn_name").asText())
            : SimilarityFunction.COSINE;

    Path tokenizer = transformerDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      throw new JembedException(
          "missing "
              + tokenizer
              + ": jembed needs the fast tokenizer file (tokenizer.save_pretrained(...) writes it)");
    }
    Path onnx = findOnnx(transformerDir, onnxVariant);
    return new PipelineConfig(
        directory,
        onnx,
        tokenizer,
        maxSeqLength,
        doLowerCase,
        architecture,
        pooling,
        normalize,
        prompts,
        defaultPromptName,
        similarity);
  }

  /**
   * This configuration with another max_seq_length, as {@code model.max_seq_length = n} in
   * sentence-transformers.
   */
  public PipelineConfig withMaxSeqLength(int length) {
    if (length < 2) {
      throw new IllegalArgumentException("max_seq_length must be at least 2, got " + length);
    }
    return new PipelineConfig(
        directory,
        onnxFile,
        tokenizerFile,
        length,
        doLowerCase,
        architecture,
        pooling,
        normalize,
        prompts,
        defaultPromptName,
        similarity);
  }

  /** The modules as sentence-transformers prints them. */
  public List<String> describeModules() {
    List<String> lines = new ArrayList<>();
    String arch = architecture.isEmpty() ? "" : ", 'architecture': '" + architecture + "'";
    lines.add(
        "Transformer({'max_seq_length': "
            + maxSeqLength
            + ", 'do_lower_case': "
            + PoolingConfig.py(doLowerCase)
            + arch
            + "})");
    lines.add(pooling.toString());
    if (normalize) {
      lines.add("Normalize()");
    }
    return lines;
  }

  private static Path findOnnx(Path transformerDir, String variant) {
    if (variant != null && !variant.isBlank()) {
      Path p = transformerDir.resolve(variant);
      if (!Files.isRegularFile(p)) {
        throw new JembedException(
            "ONNX file " + p + " does not exist; found: " + listOnnx(transformerDir));
      }
      return p;
    }
    for (String candidate : List.of("onnx/model.onnx", "model.onnx")) {
      Path p = transformerDir.resolve(candidate);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    List<String> found = listOnnx(transformerDir);
    if (!found.isEmpty()) {
      throw new JembedException(
          "no onnx/model.onnx or model.onnx in "
              + transformerDir
              + "; choose one of "
              + found
              + " with the onnxFile property (LoadOptions.property(\"onnxFile\", ...))");
    }
    throw new JembedException(
        "no ONNX export in "
            + transformerDir
            + ": jembed runs ONNX models. Export one with `optimum-cli export onnx --model "
            + transformerDir
            + " --task feature-extraction "
            + transformerDir.resolve("onnx")
            + "` and load the folder again");
  }

  private static List<String> listOnnx(Path dir) {
    try (Stream<Path> s = Files.walk(dir, 2)) {
      return s.filter(p -> p.toString().endsWith(".onnx"))
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static int maxSeqLength(JsonNode sbert, JsonNode tokenizerConfig, JsonNode hfConfig) {
    if (sbert.hasNonNull("max_seq_length")) {
      return sbert.get("max_seq_length").asInt();
    }
    // as sentence-transformers: the tokenizer's model_max_length capped by the position embeddings
    int fromPositions = hfConfig.path("max_position_embeddings").asInt(0);
    long fromTokenizer = tokenizerConfig.path("model_max_length").asLong(0);
    if (fromTokenizer > 0 && fromTokenizer < 1_000_000) {
      return (int) (fromPositions > 0 ? Math.min(fromTokenizer, fromPositions) : fromTokenizer);
    }
    return fromPositions > 0 ? fromPositions : 512;
  }

  private static String architecture(JsonNode hfConfig) {
    JsonNode arch = hfConfig.path("architectures");
    if (arch.isArray() && !arch.isEmpty()) {
      return arch.get(0).asText();
    }
    return "";
  }

  private static PoolingConfig readPooling(Path config) {
    JsonNode node = readJson(config);
    int dim = node.path("word_embedding_dimension").asInt(0);
    if (dim <= 0) {
      throw new JembedException(config + " has no valid word_embedding_dimension");
    }
    Set<PoolingMode> modes = EnumSet.noneOf(PoolingMode.class);
    if (node.hasNonNull("pooling_mode") && node.get("pooling_mode").isTextual()) {
      modes.add(PoolingMode.parse(node.get("pooling_mode").asText()));
    }
    for (PoolingMode m : PoolingMode.values()) {
      if (node.path(m.configKey()).asBoolean(false)) {
        modes.add(m);
      }
    }
    if (modes.isEmpty()) {
      throw new JembedException(config + " enables no pooling mode");
    }
    return new PoolingConfig(dim, modes, node.path("include_prompt").asBoolean(true));
  }

  private static JsonNode readJsonIfPresent(Path file) {
    return Files.isRegularFile(file) ? readJson(file) : JSON.createObjectNode();
  }

  private static JsonNode readJson(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new JembedException("missing " + file);
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new JembedException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
