package io.jembed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * LangChain4j's all-MiniLM-L6-v2 (float32 or quantized) with the truncation of its tokenizer.json
 * raised from 128 to 256 tokens, sentence-transformers' max_seq_length: the same model files, the
 * same code path ({@link OnnxEmbeddingModel}), but encoding whole 256-token passages as jembed
 * does.
 */
final class LangChain4jFullLength {
  private LangChain4jFullLength() {}

  static EmbeddingModel load(boolean int8) {
    String base = int8 ? "all-minilm-l6-v2-q" : "all-minilm-l6-v2";
    try {
      Path dir = Files.createTempDirectory("lc4j-" + base);
      dir.toFile().deleteOnExit();
      Path onnx = copy(base + ".onnx", dir);
      Path tokenizer = copy(base + "-tokenizer.json", dir);
      ObjectMapper json = new ObjectMapper();
      ObjectNode config = (ObjectNode) json.readTree(tokenizer.toFile());
      ((ObjectNode) config.get("truncation")).put("max_length", 256);
      config.putNull("padding");
      json.writeValue(tokenizer.toFile(), config);
      return new OnnxEmbeddingModel(onnx, tokenizer, PoolingMode.MEAN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path copy(String resource, Path dir) throws IOException {
    Path target = dir.resolve(resource);
    try (InputStream in =
        LangChain4jFullLength.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("LangChain4j resource " + resource + " is not on the class path");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    target.toFile().deleteOnExit();
    return target;
  }
}
