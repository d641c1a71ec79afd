package io.jembed.index.pgvector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jembed.index.Document;
import io.jembed.index.IndexOptions;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchMode;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import io.jembed.testing.HashingModel;
import io.jembed.testing.RequiresServers;
import io.jembed.testing.TestServer;
import io.jembed.testing.TestServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keyword search against a real PostgreSQL: BM25 scores as Lucene computes them, and the common
 * words left out of the match without losing what only they find.
 */
@RequiresServers(TestServer.POSTGRES)
class PgKeywordSearchTest {
  private static final String[] VOCABULARY = {
    "river", "stone", "cloud", "ember", "frost", "grove", "harbor", "island", "jungle", "lantern",
    "meadow", "nectar"
  };

  /** Filler documents: enough that their shared words are common by both thresholds. */
  private static final int FILLERS = 1500;

  private static PgTables tables;
  private static TestServers.Postgres server;
  private final HashingModel model = HashingModel.wholeWords("words-32", 32, 64);

  @BeforeAll
  static void tables(TestServers.Postgres postgres) {
    server = postgres;
    tables = new PgTables(postgres, "keyword");
  }

  @AfterAll
  static void dropTables() {
    if (tables != null) {
      tables.dropAll();
    }
  }

  private static List<SearchHit> keyword(VectorStore store, String query, int k) {
    return store.search(SearchRequest.builder().mode(SearchMode.KEYWORD).query(query).k(k).build());
  }

  @Test
  void scoresAreLucenesBm25OverEveryWordOfTheQuery() {
    Random random = new Random(11);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      StringBuilder text = new StringBuilder();
      for (int j = 0, n = 2 + random.nextInt(12); j < n; j++) {
        // skewed: the first words are in most documents, the last in few
        int word = (int) Math.min(VOCABULARY.length - 1, -Math.log(random.nextDouble()) * 3);
        text.append(j == 0 ? "" : " ").append(VOCABULARY[word]);
      }
      texts.add(text.toString());
    }
    try (VectorStore store = VectorStores.create(tables.next(), model, IndexOptions.defaults())) {
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        docs.add(Document.of("d" + i, texts.get(i)));
      }
      store.upsert(docs);
      store.commit();
      for (int q = 0; q < 20; q++) {
        String query =
            VOCABULARY[random.nextInt(VOCABULARY.length)]
                + " "
                + VOCABULARY[random.nextInt(VOCABULARY.length)]
                + (q % 2 == 0 ? "" : " " + VOCABULARY[random.nextInt(VOCABULARY.length)]);
        Map<String, Double> expected = bm25(texts, query);
        List<SearchHit> hits = keyword(store, query, 8);
        double[] best =
            expected.values().stream()
                .sorted(Comparator.reverseOrder())
                .limit(8)
                .mapToDouble(Double::doubleValue)
                .toArray();
        assertThat(hits.stream().mapToDouble(SearchHit::score).toArray())
            .as("scores of '%s'", query)
            .containsExactly(best, within(1e-5));
        for (SearchHit h : hits) {
          assertThat(h.score()).as(h.id()).isCloseTo(expected.get(h.id()), within(1e-5));
        }
      }
    }
  }

  /** Lucene's BM25 (k1 1.2, b 0.75) of every document holding a word of the query. */
  private static Map<String, Double> bm25(List<String> texts, String query) {
    List<List<String>> docs = texts.stream().map(t -> Arrays.asList(t.split(" "))).toList();
    double average = docs.stream().mapToInt(List::size).average().orElseThrow();
    Map<String, Double> scores = new HashMap<>();
    for (String word : Arrays.stream(query.split(" ")).distinct().toList()) {
      long df = docs.stream().filter(d -> d.contains(word)).count();
      double idf = Math.log(1 + (docs.size() - df + 0.5) / (df + 0.5));
      for (int i = 0; i < docs.size(); i++) {
        List<String> d = docs.get(i);
        long tf = d.stream().filter(word::equals).count();
        if (tf > 0) {
          double s = idf * tf / (tf + 1.2 * (0.25 + 0.75 * d.size() / average));
          scores.merge("d" + i, s, Double::sum);
        }
      }
    }
    return scores;
  }

  @Test
  void commonWordsAreLeftOutOfTheMatchButNeverHideRows() throws Exception {
    StoreLocation.Postgres location = tables.next();
    try (VectorStore store = VectorStores.create(location, model, IndexOptions.defaults())) {
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < FILLERS; i++) {
        docs.add(
            Document.builder("filler" + i)
                .text("the mat is on a floor number" + i)
                .metadata("group", "filler")
                .build());
      }
      docs.add(Document.builder("rare").text("zeppelin").metadata("group", "rare").build());
      docs.add(
          Document.builder("rare-long")
              .text("the old zeppelin is on a hangar floor")
              .metadata("group", "rare")
              .build());
      store.upsert(docs);
      store.commit();
      assertThat(commonWords(location))
          .as("statistics gathered by the bulk commit")
          .contains("the");

      // ts_rank weighs every word alike: it put the rows holding "the" before the one holding
      // only "zeppelin", and the row holding more common words first
      assertThat(keyword(store, "the zeppelin", 5))
          .extracting(SearchHit::id)
          .containsExactly("rare", "rare-long");
      assertThat(keyword(store, "is the mat on a zeppelin", 5))
          .extracting(SearchHit::id)
          .containsExactly("rare", "rare-long");
      // rows holding only common words are left out when a rarer word matches
      assertThat(keyword(store, "the old floor", 5))
          .extracting(SearchHit::id)
          .containsExactly("rare-long");
      // only common words: the rarest of them is matched
      assertThat(keyword(store, "the mat floor", 5))
          .hasSize(5)
          .allSatisfy(h -> assertThat(h.text()).contains("mat"));
      // a rare word that matches nothing, or nothing that passes the filter: every word is matched
      assertThat(keyword(store, "the unheardof", 5)).hasSize(5);
      assertThat(
              store.search(
                  SearchRequest.builder()
                      .mode(SearchMode.KEYWORD)
                      .query("the zeppelin")
                      .filter("group == 'filler'")
                      .k(5)
                      .build()))
          .hasSize(5)
          .allSatisfy(h -> assertThat(h.id()).startsWith("filler"));
      // hybrid fuses the same keyword ranking with the vector one
      List<SearchHit> hybrid =
          store.search(
              SearchRequest.builder().mode(SearchMode.HYBRID).query("the zeppelin").k(5).build());
      assertThat(hybrid).hasSize(5).extracting(SearchHit::id).contains("rare", "rare-long");
    }
  }

  private static List<String> commonWords(StoreLocation.Postgres location) throws Exception {
    try (Connection c = server.connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT most_common_elems::text::text[] FROM pg_stats WHERE tablename = ? AND"
                    + " attname = 'words'")) {
      s.setString(1, location.table());
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Arrays.asList((String[]) r.getArray(1).getArray()) : List.of();
      }
    }
  }
}
