package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.EncodeOptions;
import io.jembed.testing.HashingModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusCacheTest {
  @TempDir Path dir;
  private final List<String> messages = new ArrayList<>();

  private Path corpusFile(String content) throws IOException {
    Path file = dir.resolve("corpus.txt");
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  private DocumentSearch search(HashingModel model, Path file) {
    Corpus corpus = Corpus.read(file);
    return CorpusCache.beside(file)
        .documentSearch(
            model, corpus, Chunker.forModel(model), EncodeOptions.defaults(), messages::add);
  }

  @Test
  void theSecondSearchUsesTheCache() throws IOException {
    Path file = corpusFile("first line about cats\nsecond line about dogs\n" + "word ".repeat(40));
    HashingModel model = new HashingModel("m", 32, 16);
    DocumentSearch first = search(model, file);
    int encoded = model.encodedTexts.get();
    assertThat(encoded).isEqualTo(first.chunkCount()).isGreaterThan(3);
    assertThat(dir.resolve(".corpus.txt.jembed-cache")).isDirectory();

    DocumentSearch second = search(model, file);
    assertThat(model.encodedTexts.get()).isEqualTo(encoded);
    assertThat(messages).isEmpty();
    assertThat(second.vectors()).isDeepEqualTo(first.vectors());
    for (int i = 0; i < first.chunkCount(); i++) {
      assertThat(second.chunk(i)).isEqualTo(first.chunk(i));
      assertThat(second.chunkDocument(i)).isEqualTo(first.chunkDocument(i));
    }
    assertThat(second.search(model, "dogs", 1).get(0).document().id()).isEqualTo("2");
  }

  @Test
  void aChangedCorpusIsReEmbedded() throws IOException {
    Path file = corpusFile("cats\ndogs\n");
    HashingModel model = new HashingModel("m", 32, 16);
    search(model, file);
    Files.writeString(file, "cats\ndogs\nbirds\n");
    DocumentSearch again = search(model, file);
    assertThat(messages).singleElement().asString().contains("corpus changed");
    assertThat(again.documents()).hasSize(3);
    assertThat(model.encodedTexts.get()).isEqualTo(5);
  }

  @Test
  void aCacheMadeByAnotherModelIsNeverUsed() throws IOException {
    Path file = corpusFile("cats\ndogs\n");
    search(new HashingModel("m", 32, 16), file);
    // same id, different dimension: the same cache slot, a different identity
    HashingModel wider = new HashingModel("m", 64, 16);
    DocumentSearch rebuilt = search(wider, file);
    assertThat(messages).singleElement().asString().contains("was made by").contains("dim=32");
    assertThat(rebuilt.vectors()[0]).hasSize(64);
    assertThat(wider.encodedTexts.get()).isEqualTo(2);
    // a different model id gets its own entry
    HashingModel other = new HashingModel("n", 32, 16);
    search(other, file);
    assertThat(other.encodedTexts.get()).isEqualTo(2);
  }

  @Test
  void aDamagedCacheIsRebuilt() throws IOException {
    Path file = corpusFile("cats\ndogs\n");
    HashingModel model = new HashingModel("m", 32, 16);
    search(model, file);
    try (var files = Files.list(dir.resolve(".corpus.txt.jembed-cache"))) {
      for (Path p : files.filter(p -> p.toString().endsWith(".bin")).toList()) {
        Files.write(p, new byte[] {1, 2, 3});
      }
    }
    search(model, file);
    assertThat(messages).singleElement().asString().contains("damaged");
    assertThat(model.encodedTexts.get()).isEqualTo(4);
  }

  @Test
  void textEmbeddingsAreCachedInACacheDirectory() throws IOException {
    Path file = corpusFile("cats\ndogs\n");
    HashingModel model = new HashingModel("m", 32, 16);
    Path cacheDir = dir.resolve("cache");
    CorpusCache cache = CorpusCache.in(cacheDir, file);
    float[][] first =
        cache.embeddings(model, Corpus.read(file), EncodeOptions.defaults(), messages::add);
    float[][] second =
        cache.embeddings(model, Corpus.read(file), EncodeOptions.defaults(), messages::add);
    assertThat(second).isDeepEqualTo(first);
    assertThat(model.encodedTexts.get()).isEqualTo(2);
    assertThat(cache.directory()).startsWith(cacheDir).isDirectory();
    assertThat(dir.resolve(".corpus.txt.jembed-cache")).doesNotExist();
  }
}
