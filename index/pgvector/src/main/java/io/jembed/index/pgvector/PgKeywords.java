package io.jembed.index.pgvector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Keyword search in PostgreSQL, ranked by BM25 as Lucene scores it (k1 = 1.2, b = 0.75), over the
 * generated {@code words} column ({@code to_tsvector('simple', text)}, GIN-indexed).
 *
 * <p>A word's weight (inverse document frequency) comes from how many chunks hold it: for the
 * table's commonest words (down to about 0.1% of the rows), the share that ANALYZE recorded in
 * {@code pg_stats.most_common_elem_freqs}; for the others, a count through the GIN index, cheap
 * because they are rare. A chunk's length is its number of words (the positions in its tsvector),
 * compared with the table's average, sampled once per open store.
 *
 * <p>A chunk matches if it holds any of the query's words, except that words held by more than
 * {@value #COMMON_SHARE} of the chunks (and more than {@value #COMMON_ROWS} of them) are left out
 * of the match when rarer words remain: "a", "the", "is" match nearly every row, and PostgreSQL
 * scores every row that matches (its full-text search has no top-k pruning like Lucene's), while
 * their weight in BM25 is near zero. They still count in the score of the chunks that match. When
 * the query holds only such words, the rarest is matched; when the rarer words match nothing (or
 * nothing that passes the filter), every word is.
 */
final class PgKeywords {
  /** A word held by more than this share of the chunks is left out of the match... */
  static final double COMMON_SHARE = 0.01;

  /** ... if it is held by more than this many: below it, scoring every match is cheap anyway. */
  static final double COMMON_ROWS = 1000;

  /** Chunks whose lengths are averaged (a sample of the table's pages). */
  private static final int LENGTH_SAMPLE = 2000;

  private static final double K1 = 1.2;
  private static final double B = 0.75;

  private PgKeywords() {}

  /** One word of the query: its lexeme, as tsquery text, and how many chunks hold it. */
  record Word(String lexeme, String quoted, double chunks) {}

  /** The query's words, those a chunk must hold one of, and each word's BM25 weight. */
  record Query(List<Word> words, List<Word> matched, double[] weights) {

    /** Left out common words, so that an empty result must be checked with every word. */
    boolean leftOut() {
      return matched.size() < words.size();
    }
  }

  /**
   * The words of {@code text} as the {@code words} column holds them (the same text search
   * configuration), with how many of the table's {@code rows} chunks hold each, in one round trip.
   */
  static Query query(Connection connection, PgSchema schema, String text, long rows)
      throws SQLException {
    List<Word> words = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement(wordsSql(schema))) {
      s.setString(1, schema.table);
      s.setString(2, text);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          double share = r.getDouble(3);
          double chunks = r.wasNull() ? r.getLong(4) : share * rows;
          words.add(new Word(r.getString(1), r.getString(2), chunks));
        }
      }
    }
    return select(words, rows);
  }

  /** Which words to match, and their weights: BM25's IDF, as Lucene computes it. */
  static Query select(List<Word> words, long rows) {
    double[] weights = new double[words.size()];
    List<Word> matched = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      Word w = words.get(i);
      double n = Math.min(w.chunks(), rows);
      weights[i] = Math.log(1 + (rows - n + 0.5) / (n + 0.5));
      if (n <= COMMON_SHARE * rows || n <= COMMON_ROWS) {
        matched.add(w);
      }
    }
    if (matched.isEmpty() && !words.isEmpty()) {
      matched.add(words.stream().min(Comparator.comparingDouble(Word::chunks)).orElseThrow());
    }
    return new Query(List.copyOf(words), List.copyOf(matched), weights);
  }

  /**
   * The query's distinct lexemes; as tsvector text (the quoting tsquery reads); the share of rows
   * holding each, when the statistics list it among the column's most common elements; otherwise
   * the number of rows holding it, counted. {@code most_common_elem_freqs} holds one share per
   * element, then the smallest and the largest: {@code unnest} pairs them up.
   */
  private static String wordsSql(PgSchema schema) {
    return "WITH common AS MATERIALIZED (SELECT e.lexeme, e.share FROM pg_class c JOIN"
        + " pg_namespace n ON n.oid = c.relnamespace JOIN pg_stats s ON s.schemaname = n.nspname"
        + " AND s.tablename = c.relname AND s.attname = 'words',"
        + " unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme,"
        + " share) WHERE c.oid = ?::regclass), w AS (SELECT u.lexeme,"
        + " array_to_tsvector(ARRAY[u.lexeme])::text AS quoted, common.share FROM"
        + " unnest(to_tsvector('"
        + PgSchema.TEXT_SEARCH_CONFIG
        + "', ?)) AS u LEFT JOIN common ON common.lexeme = u.lexeme) SELECT w.lexeme, w.quoted,"
        + " w.share, CASE WHEN w.share IS NULL THEN (SELECT count(*) FROM "
        + schema.table
        + " WHERE words @@ w.quoted::tsquery) END FROM w";
  }

  /**
   * The average number of words in a chunk, over a sample of about {@value #LENGTH_SAMPLE} chunks
   * (the same pages every time), or 1 for an empty table.
   */
  static double averageLength(Connection connection, PgSchema schema, long rows)
      throws SQLException {
    double percent = Math.min(100, 200.0 * LENGTH_SAMPLE / Math.max(1, rows));
    try (PreparedStatement s =
        connection.prepareStatement(
            "SELECT avg(d.length) FROM (SELECT words FROM "
                + schema.table
                + " TABLESAMPLE SYSTEM (?) REPEATABLE (0) LIMIT "
                + LENGTH_SAMPLE
                + ") AS t, LATERAL (SELECT sum(cardinality(positions)) AS length FROM"
                + " unnest(t.words)) AS d")) {
      s.setDouble(1, percent);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        double average = r.getDouble(1);
        return r.wasNull() || average <= 0 ? 1 : average;
      }
    }
  }

  /**
   * The search: chunks that hold any word of a tsquery and pass the filter, by their BM25 score
   * over all the query's words. Parameters: the average chunk length, the lexemes, their weights,
   * the tsquery, the filter's, the count.
   */
  static String searchSql(PgSchema schema, String filter) {
    String termScore = // Lucene's BM25Similarity, which leaves out BM25's constant (k1 + 1)
        String.format(
            Locale.ROOT,
            "w.weight * cardinality(u.positions) / (cardinality(u.positions) + %s * (%s + %s *"
                + " d.length / ?))",
            K1,
            1 - B,
            B);
    return "SELECT id, chunk, (SELECT coalesce(sum("
        + termScore
        + "), 0) FROM unnest(words) AS u JOIN unnest(?::text[], ?::float8[]) AS w(lexeme,"
        + " weight) ON w.lexeme = u.lexeme) AS score FROM "
        + schema.table
        + ", LATERAL (SELECT sum(cardinality(positions)) AS length FROM unnest(words)) AS d"
        + " WHERE words @@ ?::tsquery AND "
        + filter
        + " ORDER BY score DESC, id, chunk LIMIT ?";
  }

  /** The tsquery that any of the words satisfies. */
  static String anyOf(List<Word> words) {
    return String.join(" | ", words.stream().map(Word::quoted).toList());
  }
}
