package io.jembed.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreCheck;
import io.jembed.testing.HashingModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damages the real files of a small index (scrambled bytes, as a bad disk or a careless copy leaves
 * them) and checks that jembed says "damaged", names the file and says what to do, where it used to
 * answer wrongly with exit 0 or fail with "Range [0, 0 + 117) out of bounds".
 */
class IndexDamageTest {
  @TempDir Path tmp;
  final HashingModel model = HashingModel.wholeWords("words-64", 64, 32);

  Path index(String name) {
    Path dir = tmp.resolve(name);
    try (LuceneVectorStore index = LuceneVectorStore.create(dir, model, IndexOptions.defaults())) {
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        docs.add(
            Document.builder("d" + i)
                .text("document number " + i + " about topic " + (i % 7) + " and more words")
                .metadata("lang", i % 2 == 0 ? "en" : "de")
                .metadata("year", 2000 + i % 20)
                .build());
      }
      index.upsert(docs);
      index.commit();
    }
    return dir;
  }

  /** Every Lucene file of the index (not the lock, not jembed's sidecar). */
  static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(f -> !f.equals("write.lock") && !f.endsWith(".json"))
          .sorted()
          .toList();
    }
  }

  static Path file(Path dir, String extension) throws IOException {
    return dir.resolve(
        files(dir).stream().filter(f -> f.endsWith(extension)).findFirst().orElseThrow());
  }

  /** XORs the middle third of the file's body (its 16-byte checksum footer untouched). */
  static void scramble(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int body = bytes.length - 16;
    int from = body / 3;
    int to = Math.max(from + 1, 2 * body / 3);
    for (int i = from; i < to; i++) {
      bytes[i] ^= (byte) 0x5A;
    }
    Files.write(file, bytes);
  }

  /** Writes the CRC32 of the damaged contents into the footer: damage no checksum can see. */
  static void forgeChecksum(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    ByteBuffer.wrap(bytes, bytes.length - 8, 8).putLong(crc.getValue());
    Files.write(file, bytes);
  }

  @Test
  void everyDamagedFileIsNamedWhenTheIndexOpens() throws IOException {
    List<String> files = files(index("probe"));
    assertThat(files).anyMatch(f -> f.endsWith(".veq")).anyMatch(f -> f.endsWith(".vec"));
    for (String name : files) {
      Path dir = index("damaged-" + name.replace('.', '-'));
      scramble(dir.resolve(name));
      assertThatThrownBy(() -> LuceneVectorStore.openReadOnly(dir, null).close())
          .as(name)
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("index at " + dir + " is damaged")
          .hasMessageContaining(name)
          .hasMessageContaining("reindex " + dir);
    }
  }

  @Test
  void aScrambledQuantizedVectorFileThatKeepsItsChecksumIsCaughtByItsScores() throws IOException {
    Path dir = index("veq");
    // before: the index answers with real cosine similarities
    try (LuceneVectorStore index = LuceneVectorStore.openReadOnly(dir, model)) {
      assertThat(index.search(SearchRequest.of("document number 7", 5)))
          .allSatisfy(h -> assertThat(h.score()).isBetween(-1.0, 1.0));
    }
    Path veq = file(dir, ".veq");
    byte[] bytes = Files.readAllBytes(veq);
    java.util.Arrays.fill(bytes, bytes.length / 4, bytes.length - 16, (byte) 127);
    Files.write(veq, bytes);
    forgeChecksum(veq);
    try (LuceneVectorStore index = LuceneVectorStore.openReadOnly(dir, model)) {
      assertThatThrownBy(() -> index.search(SearchRequest.of("document number 7", 5)))
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("is damaged: vector search scored")
          .hasMessageContaining("outside the range [-1, 1] of cosine similarity")
          .hasMessageContaining(veq.getFileName().toString())
          .hasMessageContaining("reindex");
    }
  }

  @Test
  void aScrambledFloatVectorFileIsCaughtWhenRescoring() throws IOException {
    Path dir = index("vec");
    Path vec = file(dir, ".vec");
    scramble(vec);
    forgeChecksum(vec);
    try (LuceneVectorStore index = LuceneVectorStore.openReadOnly(dir, model)) {
      assertThatThrownBy(
              () ->
                  index.search(
                      SearchRequest.builder()
                          .query("document number 7")
                          .k(300)
                          .rescore(true)
                          .build()))
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("is damaged: vector search scored")
          .hasMessageContaining(vec.getFileName().toString());
    }
    StoreCheck check = LuceneVectorStore.check(dir);
    assertThat(check.ok()).isFalse();
    assertThat(String.join("\n", check.problems())).contains("chunk 0: the vector has length");
  }

  /**
   * Files larger than what open verifies are read unchecked: a read that fails on them verifies
   * every checksum to name the file; damage that no read trips over (a graph that still leads
   * somewhere) is left to `jembed index check`, which reads every file.
   */
  @ParameterizedTest
  @ValueSource(strings = {".fdt", ".vec", ".veq", ".tim", ".doc", ".vex"})
  void damageInAFileTooLargeToVerifyOnOpenIsNamedByAReadOrByCheck(String extension)
      throws IOException {
    Path dir = index("large" + extension.replace('.', '-'));
    Path damaged = file(dir, extension);
    scramble(damaged);
    String name = damaged.getFileName().toString();
    JembedException failure = null;
    // as if every file were larger than what open verifies
    try (LuceneVectorStore index = LuceneVectorStore.open(dir, model, true, 16, 0)) {
      index.search(SearchRequest.builder().query("document number 7").k(300).rescore(true).build());
      index.search(
          SearchRequest.builder()
              .query("document words")
              .mode(io.jembed.index.SearchMode.HYBRID)
              .filter("lang == 'en'")
              .k(300)
              .build());
      index.exportDocuments(d -> {});
    } catch (JembedException e) {
      failure = e;
    }
    if (failure != null) {
      assertThat(failure.getMessage())
          .contains("index at " + dir + " is damaged")
          .contains(name)
          .contains("reindex");
    }
    StoreCheck check = LuceneVectorStore.check(dir);
    assertThat(check.ok()).isFalse();
    assertThat(check.problems()).anySatisfy(p -> assertThat(p).contains(name));
  }

  @Test
  void checkVerifiesEveryFileAndPassesASoundIndex() throws IOException {
    Path dir = index("sound");
    StoreCheck ok = LuceneVectorStore.check(dir);
    assertThat(ok.problems()).isEmpty();
    assertThat(ok.documents()).isEqualTo(300);
    assertThat(ok.chunks()).isEqualTo(300);
    Path fdt = file(dir, ".fdt");
    scramble(fdt);
    StoreCheck bad = LuceneVectorStore.check(dir);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.problems())
        .anySatisfy(p -> assertThat(p).contains(fdt.getFileName().toString()));
  }

  @Test
  void aTruncatedFileIsNamed() throws IOException {
    Path dir = index("truncated");
    Path veq = file(dir, ".veq");
    byte[] bytes = Files.readAllBytes(veq);
    Files.write(veq, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> LuceneVectorStore.openReadOnly(dir, model))
        .hasMessageContaining("is damaged")
        .hasMessageContaining(veq.getFileName().toString());
  }
}
