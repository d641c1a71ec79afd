package io.jembed.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
  @TempDir Path dir;

  @Test
  void linesAreDocumentsNumberedByLine() throws IOException {
    Path f = dir.resolve("c.txt");
    Files.writeString(f, "\uFEFFfirst\r\n\n  \nthird line\n");
    Corpus c = Corpus.read(f);
    assertThat(c.documents())
        .containsExactly(new Document("1", "first"), new Document("4", "third line"));
    assertThat(c.contentHash()).hasSize(64);
  }

  @Test
  void jsonLinesHaveIdsAndTexts() throws IOException {
    Path f = dir.resolve("c.data");
    Files.writeString(
        f,
        "{\"id\": \"doc-1\", \"text\": \"hello\"}\n\n{\"id\": 7, \"text\": \"world\", \"x\": 1}\n{\"text\": \"no id\"}\n");
    assertThat(Corpus.read(f).documents())
        .containsExactly(
            new Document("doc-1", "hello"), new Document("7", "world"), new Document("4", "no id"));
  }

  @Test
  void badFilesAreRefusedWithTheirName() throws IOException {
    assertThatThrownBy(() -> Corpus.read(dir.resolve("missing.txt")))
        .hasMessageContaining("no such file")
        .hasMessageContaining("missing.txt");
    Path empty = Files.writeString(dir.resolve("empty.txt"), "\n \n");
    assertThatThrownBy(() -> Corpus.read(empty)).hasMessageContaining("empty.txt is empty");
    Path binary = Files.write(dir.resolve("b.bin"), new byte[] {'a', 0, 1, 2});
    assertThatThrownBy(() -> Corpus.read(binary)).hasMessageContaining("binary");
    Path latin1 =
        Files.write(dir.resolve("l.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> Corpus.read(latin1)).hasMessageContaining("not UTF-8");
    Path badJson = Files.writeString(dir.resolve("d.jsonl"), "{\"text\": \"ok\"}\n{\"text\": 3}\n");
    assertThatThrownBy(() -> Corpus.read(badJson))
        .hasMessageContaining("line 2")
        .hasMessageContaining("\"text\"");
    assertThatThrownBy(() -> Corpus.read(dir)).hasMessageContaining("directory");
  }
}
