package io.jembed.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import io.jembed.Vectors;
import io.jembed.index.Document;
import io.jembed.index.Filter;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchMode;
import io.jembed.index.SearchRequest;
import io.jembed.index.spi.ScoreRange;
import io.jembed.testing.HashingModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What is the folder store's own; the contract every store meets is {@link LuceneContractTest}'s.
 */
class LuceneVectorStoreTest {
  @TempDir Path tmp;
  final HashingModel model = HashingModel.wholeWords("words-64", 64, 32);

  LuceneVectorStore create(Path dir) {
    return LuceneVectorStore.create(dir, model, IndexOptions.defaults());
  }

  @Test
  void findsTheClosestDocumentAndStoresTheModel() {
    Path dir = tmp.resolve("idx");
    try (LuceneVectorStore index = create(dir)) {
      index.upsert(
          List.of(
              Document.of("food", "a man is eating food"),
              Document.of("guitar", "a woman plays the guitar"),
              Document.of("car", "the red car drives fast")));
      assertThat(index.commit()).isEqualTo(3);
      List<SearchHit> hits = index.search(SearchRequest.of("who plays guitar", 2));
      assertThat(hits).hasSize(2);
      assertThat(hits.get(0).id()).isEqualTo("guitar");
      assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
      assertThat(hits.get(0).text()).isEqualTo("a woman plays the guitar");
    }
    IndexMetadata meta = LuceneVectorStore.readMetadata(dir);
    assertThat(meta.model().identity()).isEqualTo(model.info().identity());
    assertThat(meta.quantization()).isEqualTo(Quantization.INT8);
    assertThat(dir.resolve(LuceneVectorStore.METADATA_FILE)).exists();
  }

  List<Document> corpus() {
    List<Document> docs = new ArrayList<>();
    String[] langs = {"en", "de", "fr"};
    for (int i = 0; i < 90; i++) {
      docs.add(
          Document.builder("d" + i)
              .text("document number " + i + " about topic " + (i % 7))
              .metadata("lang", langs[i % 3])
              .metadata("year", 2000 + i % 20)
              .metadata("published", LocalDate.of(2020, 1, 1).plusDays(i))
              .metadata("tags", List.of("t" + (i % 2), "all"))
              .build());
    }
    return docs;
  }

  @Test
  void filtersAreExactInsideVectorAndKeywordSearch() {
    try (LuceneVectorStore index = create(tmp.resolve("idx"))) {
      List<Document> docs = corpus();
      index.upsert(docs);
      index.commit();
      for (SearchMode mode : SearchMode.values()) {
        List<SearchHit> de =
            index.search(
                SearchRequest.builder()
                    .query("document about topic 3")
                    .mode(mode)
                    .k(100)
                    .filter(Filter.term("lang", "de"))
                    .build());
        assertThat(de)
            .hasSize(30)
            .allSatisfy(h -> assertThat(h.metadata().get("lang")).isEqualTo("de"));

        // selective: year 2005 in German only: i % 20 == 5 and i % 3 == 1 -> i = 25, 85
        List<SearchHit> narrow =
            index.search(
                SearchRequest.builder()
                    .query("document about topic 3")
                    .mode(mode)
                    .k(10)
                    .filter(Filter.term("lang", "de"))
                    .filter(Filter.range("year", 2005, 2005))
                    .build());
        assertThat(narrow).extracting(SearchHit::id).containsExactlyInAnyOrder("d25", "d85");
      }
      List<SearchHit> dated =
          index.search(
              SearchRequest.builder()
                  .query("document")
                  .k(100)
                  .filter(Filter.parse("published>=2020-01-10"))
                  .filter(Filter.parse("published<2020-01-13"))
                  .build());
      assertThat(dated).extracting(SearchHit::id).containsExactlyInAnyOrder("d9", "d10", "d11");
      List<SearchHit> day =
          index.search(
              SearchRequest.builder()
                  .query("document")
                  .k(100)
                  .filter(Filter.parse("published=2020-01-05"))
                  .build());
      assertThat(day).extracting(SearchHit::id).containsExactly("d4");
      List<SearchHit> tagged =
          index.search(
              SearchRequest.builder()
                  .query("document")
                  .k(100)
                  .filter(Filter.term("tags", "t1"))
                  .build());
      assertThat(tagged).hasSize(45);
      List<SearchHit> open =
          index.search(
              SearchRequest.builder()
                  .query("document")
                  .k(100)
                  .filter(Filter.parse("year>2018"))
                  .build());
      assertThat(open)
          .hasSize(4)
          .allSatisfy(h -> assertThat(h.metadata().get("year")).isEqualTo(2019L));

      assertThatThrownBy(
              () ->
                  index.search(
                      SearchRequest.builder().query("x").filter(Filter.term("nope", "1")).build()))
          .hasMessageContaining("no metadata field 'nope'")
          .hasMessageContaining("lang");
      assertThatThrownBy(
              () ->
                  index.search(
                      SearchRequest.builder()
                          .query("x")
                          .filter(Filter.term("year", "abc"))
                          .build()))
          .hasMessageContaining("needs a number");
    }
  }

  @Test
  void hybridFindsAnExactKeywordDocumentThatVectorSearchMisses() {
    Random random = new Random(7);
    float[] query = unit(random, 64);
    try (LuceneVectorStore index = create(tmp.resolve("idx"))) {
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        // near the query in meaning, no shared words
        docs.add(
            Document.builder("near" + i)
                .text("generic text number " + i)
                .vector(perturb(random, query, 0.3f))
                .build());
      }
      // the exact part number, but a vector pointing away from the query
      float[] away = query.clone();
      for (int j = 0; j < away.length; j++) {
        away[j] = -away[j];
      }
      docs.add(
          Document.builder("part").text("replacement part XJ-9000 for pumps").vector(away).build());
      index.upsert(docs);
      index.commit();

      SearchRequest.Builder r = SearchRequest.builder().query("XJ-9000").vector(query).k(5);
      List<SearchHit> vector = index.search(r.mode(SearchMode.VECTOR).build());
      assertThat(vector).extracting(SearchHit::id).doesNotContain("part");
      List<SearchHit> keyword = index.search(r.mode(SearchMode.KEYWORD).build());
      assertThat(keyword).extracting(SearchHit::id).containsExactly("part");
      List<SearchHit> hybrid = index.search(r.mode(SearchMode.HYBRID).build());
      assertThat(hybrid).extracting(SearchHit::id).contains("part").hasSize(5);
      assertThat(hybrid.get(0).id())
          .isEqualTo("part"); // rank 1 in BM25 beats rank 1 in vectors? tie-break
    }
  }

  @ParameterizedTest
  @EnumSource(Quantization.class)
  void everyQuantizationFindsEachDocumentByItsOwnVector(Quantization q) {
    Random random = new Random(11);
    List<float[]> vectors = new ArrayList<>();
    try (LuceneVectorStore index =
        LuceneVectorStore.create(
            tmp.resolve("idx-" + q), model, IndexOptions.builder().quantization(q).build())) {
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        float[] v = unit(random, 64);
        vectors.add(v);
        docs.add(Document.builder("v" + i).text("vector " + i).vector(v).build());
      }
      index.upsert(docs);
      index.commit();
      for (int i = 0; i < 300; i += 15) {
        List<SearchHit> hits =
            index.search(SearchRequest.builder().vector(vectors.get(i)).k(3).rescore(true).build());
        assertThat(hits.get(0).id()).isEqualTo("v" + i);
        assertThat(hits.get(0).score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
      }
      // quantized estimates stray beyond [-1, 1] by far less than the slack that calls it damage
      double worst = 0;
      for (int i = 0; i < 300; i += 7) {
        for (SearchHit h :
            index.search(SearchRequest.builder().vector(vectors.get(i)).k(50).build())) {
          worst = Math.max(worst, Math.abs(h.score()) - 1);
        }
      }
      assertThat(worst).as("%s: score beyond [-1, 1]", q).isLessThan(ScoreRange.ESTIMATED / 2);
      assertThat(index.stats().bytesByPart()).containsKey("graph (HNSW)");
    }
  }

  @Test
  void readersSearchTheLastCommitWhileAWriterWrites() {
    Path dir = tmp.resolve("idx");
    try (LuceneVectorStore writer = create(dir);
        LuceneVectorStore reader = LuceneVectorStore.openReadOnly(dir, model)) {
      writer.upsert(Document.of("one", "first document"));
      assertThat(reader.contains("one")).isFalse();
      writer.commit();
      assertThat(reader.contains("one")).isTrue();
      assertThatThrownBy(() -> reader.upsert(Document.of("x", "y")))
          .hasMessageContaining("read-only");
      assertThatThrownBy(() -> LuceneVectorStore.open(dir, model))
          .hasMessageContaining("being written by another process");
    }
  }

  @Test
  void searchesRunWhileAnotherThreadWritesAndCommits() throws Exception {
    try (LuceneVectorStore index = create(tmp.resolve("idx"))) {
      index.upsert(Document.of("seed", "the first document"));
      index.commit();
      java.util.concurrent.atomic.AtomicBoolean done =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<Throwable> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread reader =
          new Thread(
              () -> {
                long lastSeen = 0;
                try {
                  while (!done.get()) {
                    List<SearchHit> hits =
                        index.search(SearchRequest.builder().query("document").k(1000).build());
                    // commits only add: what a reader sees never shrinks
                    assertThat((long) hits.size()).isGreaterThanOrEqualTo(lastSeen);
                    lastSeen = hits.size();
                  }
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      reader.start();
      for (int batch = 0; batch < 20; batch++) {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          docs.add(Document.of("w" + batch + "-" + i, "document " + batch + " " + i));
        }
        index.upsert(docs);
        index.commit();
      }
      done.set(true);
      reader.join(30_000);
      assertThat(failure.get()).isNull();
      assertThat(index.stats().documents()).isEqualTo(201);
    }
  }

  @Test
  void missingForeignAndDamagedFoldersGetClearErrors() throws Exception {
    assertThatThrownBy(() -> LuceneVectorStore.open(tmp.resolve("nothing"), model))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("does not exist");

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> LuceneVectorStore.open(empty, model))
        .hasMessageContaining("is not a jembed index");

    Path notes = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(notes.resolve("readme.txt"), "hello");
    assertThatThrownBy(() -> LuceneVectorStore.readMetadata(notes))
        .hasMessageContaining("is not a jembed index");
    assertThatThrownBy(() -> LuceneVectorStore.create(notes, model, IndexOptions.defaults()))
        .hasMessageContaining("is not empty");

    Path foreign = tmp.resolve("foreign");
    try (IndexWriter w = new IndexWriter(FSDirectory.open(foreign), new IndexWriterConfig())) {
      org.apache.lucene.document.Document d = new org.apache.lucene.document.Document();
      d.add(new StringField("f", "v", Field.Store.YES));
      w.addDocument(d);
      w.commit();
    }
    assertThatThrownBy(() -> LuceneVectorStore.open(foreign, model))
        .hasMessageContaining("Lucene index that jembed did not create");

    Path damaged = tmp.resolve("damaged");
    try (LuceneVectorStore index = create(damaged)) {
      index.upsert(Document.of("a", "some text"));
      index.commit();
    }
    try (var files = Files.list(damaged)) {
      for (Path f :
          files.filter(p -> p.getFileName().toString().startsWith("segments_")).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
      }
    }
    assertThatThrownBy(() -> LuceneVectorStore.open(damaged, model))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("damaged");

    Path garbage = Files.createDirectories(tmp.resolve("garbage"));
    Files.write(
        garbage.resolve("segments_1"), "not a lucene file".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> LuceneVectorStore.open(garbage, model))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("damaged");

    Path file = Files.writeString(tmp.resolve("file.txt"), "x");
    assertThatThrownBy(() -> LuceneVectorStore.open(file, model)).hasMessageContaining("is a file");
  }

  static float[] unit(Random random, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Vectors.normalized(v);
  }

  static float[] perturb(Random random, float[] v, float sigma) {
    float[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += (float) (random.nextGaussian() * sigma / Math.sqrt(out.length));
    }
    return Vectors.normalized(out);
  }
}
