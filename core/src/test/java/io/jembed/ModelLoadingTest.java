package io.jembed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoadingTest {

  @Test
  void aliasAndCanonicalNameLoadTheSameModel() {
    try (SentenceTransformer a =
            SentenceTransformer.load("sentence-transformers/all-MiniLM-L6-v2");
        EmbeddingModel b = EmbeddingModel.load("all-minilm-l6-v2")) {
      assertThat(a.info().identity()).isEqualTo(b.info().identity());
      assertThat(a.source()).isEqualTo("bundled");
    }
  }

  @Test
  void aFolderInSentenceTransformersLayoutGivesIdenticalVectors(@TempDir Path tmp)
      throws IOException {
    List<String> texts = List.of("The cat sat on the mat.", "Embeddings on the JVM.");
    try (SentenceTransformer bundled = SentenceTransformer.load("all-MiniLM-L6-v2")) {
      Path copy = tmp.resolve("my-model");
      copyTree(bundled.directory(), copy);
      try (SentenceTransformer folder = SentenceTransformer.load(copy.toString(), ownCache(tmp))) {
        assertThat(folder.source()).isEqualTo("folder");
        assertThat(folder.toString()).isEqualTo(bundled.toString());
        float[][] a = bundled.encode(texts);
        float[][] b = folder.encode(texts);
        for (int i = 0; i < a.length; i++) {
          assertThat(b[i]).containsExactly(a[i], within(0f));
        }
      }
    }
  }

  @Test
  void theConfigurationIsReadNotGuessed(@TempDir Path tmp) throws IOException {
    try (SentenceTransformer bundled = SentenceTransformer.load("all-MiniLM-L6-v2")) {
      Path copy = tmp.resolve("cls-model");
      copyTree(bundled.directory(), copy);
      // switch the copy to CLS pooling, max_seq_length 16, no Normalize, dot similarity, prompts
      Files.writeString(
          copy.resolve("1_Pooling/config.json"),
          "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": true}");
      Files.writeString(
          copy.resolve("sentence_bert_config.json"),
          "{\"max_seq_length\": 16, \"do_lower_case\": false}");
      Files.writeString(
          copy.resolve("modules.json"),
          """
          [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
           {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
          """);
      Files.writeString(
          copy.resolve("config_sentence_transformers.json"),
          """
          {"prompts": {"query": "query: ", "document": "passage: "}, "default_prompt_name": "document",
           "similarity_fn_name": "dot"}
          """);
      try (SentenceTransformer m = SentenceTransformer.load(copy.toString(), ownCache(tmp))) {
        assertThat(m.maxSeqLength()).isEqualTo(16);
        assertThat(m.info().normalized()).isFalse();
        assertThat(m.similarityFunction()).isEqualTo(SimilarityFunction.DOT);
        assertThat(m.info().prompts()).containsEntry("query", "query: ");
        assertThat(m.toString())
            .contains("'pooling_mode_cls_token': True")
            .doesNotContain("Normalize");
        // the default prompt applies when none is chosen; encodeQuery picks "query"
        assertThat(m.resolvePrompt(EncodeOptions.defaults())).isEqualTo("passage: ");
        assertThat(m.resolvePrompt(EncodeOptions.builder().inputType(InputType.QUERY).build()))
            .isEqualTo("query: ");
        Embeddings e = m.encode(List.of("word ".repeat(50)), EncodeOptions.defaults());
        assertThat(e.tokenCounts()[0]).isEqualTo(16);
        assertThat(Vectors.norm(e.get(0))).isNotCloseTo(1.0, within(1e-3));
      }
    }
  }

  @Test
  void unknownNamesSuggestCloseOnes() {
    assertThatThrownBy(() -> SentenceTransformer.load("all-MiniLM-L6"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("unknown model 'all-MiniLM-L6'")
        .hasMessageContaining("did you mean all-MiniLM-L6-v2");
    assertThatThrownBy(() -> SentenceTransformer.load("bge-smal-en-v1.5"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("bge-small-en-v1.5");
  }

  @Test
  void missingFilesAreNamed(@TempDir Path tmp) throws IOException {
    assertThatThrownBy(() -> SentenceTransformer.load(tmp.resolve("nope").toString()))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("does not exist");
    try (SentenceTransformer bundled = SentenceTransformer.load("all-MiniLM-L6-v2")) {
      Path noOnnx = tmp.resolve("no-onnx");
      copyTree(bundled.directory(), noOnnx);
      Files.delete(noOnnx.resolve("onnx/model.onnx"));
      assertThatThrownBy(() -> SentenceTransformer.load(noOnnx.toString()))
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("no ONNX export")
          .hasMessageContaining("optimum-cli export onnx");
      Path noTokenizer = tmp.resolve("no-tokenizer");
      copyTree(bundled.directory(), noTokenizer);
      Files.delete(noTokenizer.resolve("tokenizer.json"));
      assertThatThrownBy(() -> SentenceTransformer.load(noTokenizer.toString()))
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("tokenizer.json");
    }
  }

  @Test
  void corruptOnnxFilesGetAClearError(@TempDir Path tmp) throws IOException {
    try (SentenceTransformer bundled = SentenceTransformer.load("all-MiniLM-L6-v2")) {
      Path bad = tmp.resolve("corrupt");
      copyTree(bundled.directory(), bad);
      Files.write(bad.resolve("onnx/model.onnx"), "this is not a protobuf".getBytes());
      assertThatThrownBy(() -> SentenceTransformer.load(bad.toString()))
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("corrupt or incompatible ONNX file");
      Path truncated = tmp.resolve("truncated");
      copyTree(bundled.directory(), truncated);
      byte[] head = new byte[1 << 20];
      try (var in = Files.newInputStream(bundled.directory().resolve("onnx/model.onnx"))) {
        in.readNBytes(head, 0, head.length);
      }
      Files.write(truncated.resolve("onnx/model.onnx"), head);
      assertThatThrownBy(() -> SentenceTransformer.load(truncated.toString()))
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("ONNX");
    }
  }

  @Test
  void unsupportedModulesAreRefusedByName(@TempDir Path tmp) throws IOException {
    try (SentenceTransformer bundled = SentenceTransformer.load("all-MiniLM-L6-v2")) {
      Path dense = tmp.resolve("dense");
      copyTree(bundled.directory(), dense);
      Files.writeString(
          dense.resolve("modules.json"),
          """
          [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
           {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
           {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]
          """);
      assertThatThrownBy(() -> SentenceTransformer.load(dense.toString()))
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("sentence_transformers.models.Dense")
          .hasMessageContaining("not supported");
    }
  }

  @Test
  void cudaWithoutAGpuBuildSaysWhatIsNeeded() {
    LoadOptions cuda = LoadOptions.builder().device("cuda").build();
    assertThatThrownBy(() -> SentenceTransformer.load("all-MiniLM-L6-v2", cuda))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("device cuda is not available")
        .hasMessageContaining("onnxruntime_gpu");
    LoadOptions tpu = LoadOptions.builder().device("tpu").build();
    assertThatThrownBy(() -> SentenceTransformer.load("all-MiniLM-L6-v2", tpu))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("unknown device 'tpu'");
  }

  @Test
  void hostedSchemesWithoutAProviderAreExplained() {
    assertThatThrownBy(() -> EmbeddingModel.load("nosuchprovider:model"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no provider for model 'nosuchprovider:model'");
  }

  /** The fused graph of a model copied into a test folder goes to a cache there, not the user's. */
  private static LoadOptions ownCache(Path tmp) {
    return LoadOptions.builder().cacheDir(tmp.resolve("cache")).build();
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
