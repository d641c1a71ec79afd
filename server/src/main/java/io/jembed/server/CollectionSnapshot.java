package io.jembed.server;

import io.jembed.SimilarityFunction;
import io.jembed.index.IndexStats;
import io.jembed.index.StoredDocument;
import io.jembed.index.VectorStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Every chunk of a served index in memory: its document, text, metadata and vector, in a stable
 * order (by document id, then chunk), with a version that changes exactly when the content does.
 * What exact percentiles, maps, neighbours and duplicates are computed over; loaded once per
 * content ({@link ServerContext#collection}) and held while the server runs.
 */
public final class CollectionSnapshot {
  private final String version;
  private final List<Chunk> chunks;
  private final float[][] vectors;
  private final Map<String, Integer> positions;
  // only the documents whose text is not their one chunk's: the others would be held twice
  private final Map<String, String> documentTexts;

  private CollectionSnapshot(
      String version, List<Chunk> chunks, float[][] vectors, Map<String, String> documentTexts) {
    this.version = version;
    this.chunks = chunks;
    this.vectors = vectors;
    this.documentTexts = documentTexts;
    this.positions = new HashMap<>(chunks.size() * 2);
    for (int i = 0; i < chunks.size(); i++) {
      positions.put(chunks.get(i).id(), i);
    }
  }

  /** SHA-256 of the ids, chunk positions and vectors, in hex. */
  public String version() {
    return version;
  }

  /** The chunks: point {@code i} of a map is chunk i. */
  public List<Chunk> chunks() {
    return chunks;
  }

  /** {@code vectors()[i]} is chunk i's vector (shared: do not change). */
  public float[][] vectors() {
    return vectors;
  }

  /** One chunk of a document. */
  public record Chunk(
      String documentId, int chunk, String text, int start, int end, Map<String, Object> metadata) {
    /** "doc-1#0": the document id and the chunk's position. */
    public String id() {
      return documentId + "#" + chunk;
    }
  }

  /** The whole text of a document of the collection (a hit's chunk sits in it), or null. */
  public String documentText(String documentId) {
    String text = documentTexts.get(documentId);
    if (text != null) {
      return text;
    }
    int at = indexOf(documentId, 0);
    return at < 0 ? null : chunks.get(at).text();
  }

  public int size() {
    return chunks.size();
  }

  /** The position of a document's chunk, or -1. */
  public int indexOf(String documentId, int chunk) {
    Integer i = positions.get(documentId + "#" + chunk);
    return i == null ? -1 : i;
  }

  /** The position of a chunk by its id ("doc-1#0"), or of a document's first chunk ("doc-1"). */
  public int indexOf(String id) {
    Integer i = positions.get(id);
    return i != null ? i : indexOf(id, 0);
  }

  /**
   * Every chunk's score for a query vector, sorted: one exact pass over the vectors, after which
   * {@link Scores#percentile} answers for any score in logarithmic time.
   */
  public Scores scores(SimilarityFunction similarity, float[] query) {
    float[] all = new float[vectors.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = similarity.score(query, vectors[i]);
    }
    java.util.Arrays.sort(all);
    return new Scores(all);
  }

  /** A query's scores against every chunk, ascending. */
  public static final class Scores {
    private final float[] sorted;

    private Scores(float[] sorted) {
      this.sorted = sorted;
    }

    /** The share (0-100) of the chunks that score below {@code score}. */
    public double percentile(float score) {
      if (sorted.length == 0) {
        return 0;
      }
      int lo = 0;
      int hi = sorted.length;
      while (lo < hi) { // the first position holding a score >= score
        int mid = (lo + hi) >>> 1;
        if (sorted[mid] < score) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return 100.0 * lo / sorted.length;
    }
  }

  /** Reads a store whole. */
  static CollectionSnapshot load(VectorStore store) {
    List<StoredDocument> docs = new ArrayList<>();
    store.exportDocuments(docs::add);
    docs.sort(Comparator.comparing(StoredDocument::id));
    List<Chunk> chunks = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    Map<String, String> documentTexts = new HashMap<>();
    MessageDigest digest = sha256();
    for (StoredDocument d : docs) {
      if (d.chunks().size() != 1 || !d.chunks().get(0).text().equals(d.text())) {
        documentTexts.put(d.id(), d.text());
      }
      for (StoredDocument.Chunk c : d.chunks()) {
        chunks.add(new Chunk(d.id(), c.index(), c.text(), c.start(), c.end(), d.metadata()));
        vectors.add(c.vector());
        digest.update(d.id().getBytes(StandardCharsets.UTF_8));
        ByteBuffer b =
            ByteBuffer.allocate(8 + c.vector().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(c.index());
        b.asFloatBuffer().put(c.vector()); // the float view starts after the two ints
        digest.update(b.array());
      }
    }
    return new CollectionSnapshot(
        HexFormat.of().formatHex(digest.digest()),
        List.copyOf(chunks),
        vectors.toArray(new float[0][]),
        documentTexts);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The snapshots of the served indexes, reloaded when an index's statistics change. */
  static final class Cache {
    private record Entry(IndexStats stats, CollectionSnapshot snapshot) {}

    private final Map<String, Entry> entries = new HashMap<>();

    synchronized CollectionSnapshot get(String name, VectorStore store) {
      IndexStats stats = store.stats();
      Entry e = entries.get(name);
      if (e == null || !sameContent(e.stats, stats)) {
        e = new Entry(stats, load(store));
        entries.put(name, e);
      }
      return e.snapshot;
    }

    private static boolean sameContent(IndexStats a, IndexStats b) {
      return a.documents() == b.documents()
          && a.chunks() == b.chunks()
          && a.deletedChunks() == b.deletedChunks()
          && a.segments() == b.segments(); // not bytesOnDisk: files kept beside an index count
    }
  }
}
