package io.jembed.index.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal-rank fusion (Cormack, Clarke and Büttcher, 2009): each ranking adds {@code weight / (k
 * + rank)} to a hit's score, rank counting from 1. Scores of different kinds (cosine, BM25) need no
 * calibration: only the ranks count.
 */
public final class RankFusion {
  private RankFusion() {}

  /**
   * The two rankings fused, best first. Hits are the same when they have the same key (the document
   * id when hits are grouped by document, else id and chunk); ties keep the order in which hits
   * were first seen, vector hits first.
   */
  public static List<ChunkHit> fuse(
      List<ChunkHit> vector,
      double vectorWeight,
      List<ChunkHit> keyword,
      double keywordWeight,
      int rrfK,
      boolean byDocument) {
    Map<String, ChunkHit> first = new LinkedHashMap<>();
    Map<String, Double> scores = new LinkedHashMap<>();
    add(vector, vectorWeight, rrfK, byDocument, first, scores);
    add(keyword, keywordWeight, rrfK, byDocument, first, scores);
    List<ChunkHit> fused = new ArrayList<>(scores.size());
    scores.forEach((key, score) -> fused.add(first.get(key).withScore(score)));
    fused.sort(Comparator.comparingDouble(ChunkHit::score).reversed()); // stable
    return fused;
  }

  private static void add(
      List<ChunkHit> ranking,
      double weight,
      int rrfK,
      boolean byDocument,
      Map<String, ChunkHit> first,
      Map<String, Double> scores) {
    for (int i = 0; i < ranking.size(); i++) {
      ChunkHit h = ranking.get(i);
      String key = key(h, byDocument);
      first.putIfAbsent(key, h);
      scores.merge(key, weight / (rrfK + i + 1), Double::sum);
    }
  }

  /** The identity of a hit: its document, or its document and chunk. */
  static String key(ChunkHit h, boolean byDocument) {
    return byDocument ? h.id() : h.id() + "#" + h.chunk();
  }
}
