package io.jembed.index;

import io.jembed.JembedException;
import io.jembed.index.spi.AbstractVectorStore;
import io.jembed.index.spi.ScoreRange;
import io.jembed.index.spi.VectorStoreProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code jembed index check} found: how much it read and every problem, each naming what is
 * damaged.
 *
 * @param location the store checked
 * @param documents documents read
 * @param chunks chunks (vectors) read
 * @param problems what is wrong; empty when the store is sound
 */
public record StoreCheck(
    StoreLocation location, long documents, long chunks, List<String> problems) {
  /** Vector searches the check runs with stored vectors. */
  static final int SEARCHES = 20;

  public StoreCheck {
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }

  /** This check with {@code earlier} problems before its own. */
  public StoreCheck after(List<String> earlier) {
    List<String> all = new ArrayList<>(earlier);
    all.addAll(problems);
    return new StoreCheck(location, documents, chunks, all);
  }

  /**
   * The check every store gets: reads every document through the contract (texts, metadata,
   * vectors), checks each vector's dimension and values (unit length where the model promises it),
   * the document count against the store's statistics, and runs vector searches with stored
   * vectors, whose scores must lie in the similarity's range.
   */
  public static StoreCheck readEverything(VectorStoreProvider provider, StoreLocation location) {
    List<String> problems = new ArrayList<>();
    long[] counts = new long[2];
    try (VectorStore store = provider.open(location, null, true)) {
      IndexMetadata meta = store.metadata();
      int dim = meta.model().dimension();
      boolean unit = AbstractVectorStore.keepsUnitVectors(meta.model());
      List<float[]> probes = new ArrayList<>();
      store.exportDocuments(
          d -> {
            counts[0]++;
            for (StoredDocument.Chunk c : d.chunks()) {
              counts[1]++;
              String problem = vectorProblem(c.vector(), dim, unit);
              if (problem != null && problems.size() < 100) {
                problems.add("document '" + d.id() + "' chunk " + c.index() + ": " + problem);
              }
              if (problem == null && probes.size() < SEARCHES && c.index() == 0) {
                probes.add(c.vector());
              }
            }
          });
      long expected = store.stats().documents();
      if (expected != counts[0]) {
        problems.add(
            "the store counts " + expected + " documents but " + counts[0] + " could be read");
      }
      for (float[] probe : probes) {
        store.search(SearchRequest.builder().vector(probe).k(1).build());
      }
    } catch (JembedException | IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    return new StoreCheck(location, counts[0], counts[1], problems);
  }

  private static String vectorProblem(float[] v, int dim, boolean unit) {
    if (v.length != dim) {
      return "a " + v.length + "-d vector in a " + dim + "-d index";
    }
    double norm = 0;
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return "the vector holds NaN or infinity";
      }
      norm += (double) x * x;
    }
    if (unit && Math.abs(Math.sqrt(norm) - 1) > ScoreRange.EXACT) {
      return String.format(
          java.util.Locale.ROOT,
          "the vector has length %.4g where the model's have length 1",
          Math.sqrt(norm));
    }
    return null;
  }
}
