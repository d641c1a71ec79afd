package io.jembed.index.spi;

import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.Vectors;
import io.jembed.index.Document;
import io.jembed.index.FieldType;
import io.jembed.index.Filter;
import io.jembed.index.FilterCheck;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexStats;
import io.jembed.index.MetadataValues;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchMode;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.StoredDocument;
import io.jembed.index.VectorStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Everything a {@link VectorStore} does that is not a backend's: chunking and embedding on ingest,
 * validation, metadata typing, the filter check, query embedding, the candidate loop that fills k
 * documents from chunks, reciprocal-rank fusion, and the score sanity check that turns damaged
 * vectors into an error instead of a wrong answer. A backend extends it with its translation only:
 * {@link #write}, {@link #remove}, {@link #persist}, {@link #reader} and {@link #closeStore}.
 */
public abstract class AbstractVectorStore implements VectorStore {
  private final StoreLocation location;
  private final EmbeddingModel model; // null: pre-computed vectors and keyword search only
  private final boolean readOnly;
  private final Ingest ingest;
  private final ScoreRange scoreRange;
  private final Object metadataLock = new Object();
  private volatile IndexMetadata metadata;
  private volatile boolean closed;

  /**
   * @param metadata what the store holds, as it was read (or created); the caller has checked
   *     {@code model} against it ({@link IndexMetadata#requireModel})
   * @param model embeds documents and text queries; may be null to search with vectors and words
   *     only, or to import documents that carry their vectors
   */
  protected AbstractVectorStore(
      StoreLocation location, IndexMetadata metadata, EmbeddingModel model, boolean readOnly) {
    this.location = location;
    this.metadata = metadata;
    this.model = model;
    this.readOnly = readOnly;
    this.ingest = new Ingest(model, metadata);
    this.scoreRange = ScoreRange.of(metadata.model());
  }

  // ------------------------------------------------------------------------ the backend's part

  /**
   * Writes documents, each replacing every chunk of a document with the same id; not visible until
   * {@link #persist}. Vectors have the index's dimension (unit length for normalized models), ids
   * are unique, and {@code fields} types every metadata field.
   */
  protected abstract void write(List<StoredDocument> documents, Map<String, FieldType> fields);

  /** Deletes every chunk of these documents; not visible until {@link #persist}. */
  protected abstract void remove(Collection<String> ids);

  /**
   * Makes every write durable and visible, with {@code metadata} kept in the same commit; returns
   * the number of live documents.
   */
  protected abstract long persist(IndexMetadata metadata);

  /** A point-in-time view of the committed documents; the caller closes it. */
  protected abstract StoreReader reader();

  /** Releases the backend's resources; uncommitted writes are dropped. */
  protected abstract void closeStore();

  /**
   * The error for a store whose data is damaged (a backend adds which file or table); says what to
   * do.
   */
  protected RuntimeException damaged(String detail) {
    return new JembedException(damagedMessage(detail));
  }

  /** "index at X is damaged: detail. Restore it ..., or rebuild it ...". */
  protected final String damagedMessage(String detail) {
    return "index at "
        + location
        + " is damaged: "
        + detail
        + ". Restore it from a backup, or rebuild it from its stored texts with `jembed index"
        + " reindex "
        + location
        + " --model "
        + metadata.modelName()
        + "`";
  }

  // ----------------------------------------------------------------------------- properties

  @Override
  public StoreLocation location() {
    return location;
  }

  @Override
  public IndexMetadata metadata() {
    return metadata;
  }

  @Override
  public boolean isReadOnly() {
    return readOnly;
  }

  /** The model that embeds documents and queries, or null. */
  protected EmbeddingModel embeddingModel() {
    return model;
  }

  // -------------------------------------------------------------------------------- writing

  @Override
  public void upsert(Collection<Document> documents) {
    requireWritable();
    if (documents.isEmpty()) {
      return;
    }
    Set<String> ids = new HashSet<>();
    for (Document d : documents) {
      requireUnique(ids, d.id());
      if (d.hasVector()) {
        requireDimension(d.id(), d.vector());
      }
    }
    importDocuments(ingest.embed(documents));
  }

  @Override
  public void importDocuments(Collection<StoredDocument> documents) {
    requireWritable();
    if (documents.isEmpty()) {
      return;
    }
    boolean unit = unitVectors();
    Set<String> ids = new HashSet<>();
    List<StoredDocument> ready = new ArrayList<>(documents.size());
    for (StoredDocument d : documents) {
      requireUnique(ids, d.id());
      List<StoredDocument.Chunk> chunks = new ArrayList<>(d.chunks().size());
      for (StoredDocument.Chunk c : d.chunks()) {
        requireDimension(d.id(), c.vector());
        // the model promises unit vectors, rounding aside; stores may rely on it (dot product).
        // A unit vector is kept bit for bit: a copy is exact
        float[] v = unit && !isUnit(c.vector()) ? Vectors.normalized(c.vector()) : c.vector();
        chunks.add(new StoredDocument.Chunk(c.index(), c.text(), c.start(), c.end(), v));
      }
      ready.add(new StoredDocument(d.id(), d.text(), d.metadata(), chunks));
    }
    write(ready, fieldTypes(ready));
  }

  private static boolean isUnit(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    return Math.abs(norm - 1) < 1e-6;
  }

  private static void requireUnique(Set<String> ids, String id) {
    if (!ids.add(id)) {
      throw new IllegalArgumentException("document id '" + id + "' appears twice in one batch");
    }
  }

  private void requireDimension(String id, float[] v) {
    int dim = metadata.model().dimension();
    if (v.length != dim) {
      throw new IllegalArgumentException(
          "document '"
              + id
              + "' has a "
              + v.length
              + "-d vector; this index holds "
              + dim
              + "-d vectors of "
              + metadata.model().id());
    }
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException(
            "document '" + id + "' has a vector with NaN or infinity");
      }
    }
  }

  /** Each field keeps the type it was first given; new fields join the index's metadata. */
  private Map<String, FieldType> fieldTypes(List<StoredDocument> documents) {
    synchronized (metadataLock) {
      Map<String, FieldType> fields = new TreeMap<>(metadata.fields());
      boolean changed = false;
      for (StoredDocument doc : documents) {
        for (Map.Entry<String, Object> e : doc.metadata().entrySet()) {
          FieldType type = MetadataValues.typeOf(e.getValue());
          FieldType known = fields.putIfAbsent(e.getKey(), type);
          if (known != null && known != type) {
            throw new IllegalArgumentException(
                "metadata '"
                    + e.getKey()
                    + "' of document '"
                    + doc.id()
                    + "' is a "
                    + type.externalName()
                    + ", but this index holds it as a "
                    + known.externalName());
          }
          changed |= known == null;
        }
      }
      if (changed) {
        metadata = metadata.withFields(fields);
      }
      return fields;
    }
  }

  @Override
  public void delete(Collection<String> ids) {
    requireWritable();
    if (!ids.isEmpty()) {
      remove(ids);
    }
  }

  @Override
  public long commit() {
    requireWritable();
    synchronized (metadataLock) {
      return persist(metadata);
    }
  }

  private void requireWritable() {
    requireOpen();
    if (readOnly) {
      throw new JembedException("index at " + location + " is open read-only");
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new JembedException("index at " + location + " is closed");
    }
  }

  // -------------------------------------------------------------------------------- reading

  @Override
  public boolean contains(String id) {
    requireOpen();
    try (StoreReader r = reader()) {
      return r.contains(id);
    }
  }

  @Override
  public IndexStats stats() {
    requireOpen();
    try (StoreReader r = reader()) {
      return r.stats(metadata);
    }
  }

  @Override
  public void exportDocuments(Consumer<StoredDocument> action) {
    requireOpen();
    try (StoreReader r = reader()) {
      r.forEachDocument(action);
    }
  }

  @Override
  public List<SearchHit> search(SearchRequest request) {
    requireOpen();
    Filter filter = Filter.and(request.filters());
    if (filter != null) {
      FilterCheck.check(filter, metadata.fields());
    }
    float[] vector = request.mode() == SearchMode.KEYWORD ? null : queryVector(request);
    int k = request.k();
    boolean group = request.groupByDocument();
    try (StoreReader r = reader()) {
      List<ChunkHit> ranked =
          switch (request.mode()) {
            case VECTOR -> vectorRanking(r, vector, request, filter, k);
            case KEYWORD -> keywordRanking(r, request, filter, k);
            case HYBRID -> {
              int want = Math.max(k, request.numCandidates() > 0 ? request.numCandidates() : 100);
              yield RankFusion.fuse(
                  vectorRanking(r, vector, request, filter, want),
                  request.vectorWeight(),
                  keywordRanking(r, request, filter, want),
                  request.keywordWeight(),
                  request.rrfK(),
                  group);
            }
          };
      return r.load(ranked.subList(0, Math.min(k, ranked.size())));
    }
  }

  /**
   * Vector hits, best first, at least {@code want} of them (documents when grouping) if the index
   * has them: when chunks of the same documents fill the candidates, look further.
   */
  private List<ChunkHit> vectorRanking(
      StoreReader r, float[] vector, SearchRequest request, Filter filter, int want) {
    int first = Math.max(want, request.numCandidates() > 0 ? request.numCandidates() : 100);
    if (request.rescore()) {
      first = Math.max(first, want * 3); // oversample, then exact scores pick the best
    }
    double slack =
        request.rescore() || metadata.quantization() == io.jembed.index.Quantization.NONE
            ? ScoreRange.EXACT
            : ScoreRange.ESTIMATED;
    return ranking(
        n -> {
          List<ChunkHit> hits =
              r.vectorSearch(new VectorQuery(vector, n, filter, request.rescore()));
          for (ChunkHit h : hits) {
            if (!scoreRange.contains(h.score(), slack)) {
              throw damaged(
                  String.format(
                      Locale.ROOT,
                      "vector search scored %.4g for document '%s', outside the range %s of %s"
                          + " similarity",
                      h.score(),
                      h.id(),
                      scoreRange,
                      metadata.model().similarity().name().toLowerCase(Locale.ROOT)));
            }
          }
          return hits;
        },
        first,
        want,
        request.groupByDocument(),
        r.chunkCount());
  }

  private List<ChunkHit> keywordRanking(
      StoreReader r, SearchRequest request, Filter filter, int want) {
    return ranking(
        n -> r.keywordSearch(request.queryText(), n, filter),
        Math.max(want, 10),
        want,
        request.groupByDocument(),
        Math.max(1, r.chunkCount()));
  }

  private static List<ChunkHit> ranking(
      IntFunction<List<ChunkHit>> fetch, int first, int want, boolean byDocument, long total) {
    int n = first;
    while (true) {
      List<ChunkHit> candidates = fetch.apply(n);
      List<ChunkHit> hits = group(candidates, byDocument);
      if (hits.size() >= want || candidates.size() < n || n >= total) {
        return hits;
      }
      n = (int) Math.min(Math.min(total, Integer.MAX_VALUE), (long) n * 4);
    }
  }

  /** Keeps the best chunk of each document (or every chunk), in order. */
  private static List<ChunkHit> group(List<ChunkHit> candidates, boolean byDocument) {
    List<ChunkHit> out = new ArrayList<>(candidates.size());
    Set<String> seen = new HashSet<>();
    for (ChunkHit h : candidates) {
      if (seen.add(RankFusion.key(h, byDocument))) {
        out.add(h);
      }
    }
    return out;
  }

  private float[] queryVector(SearchRequest r) {
    float[] v = r.queryVector();
    if (v == null) {
      if (model == null) {
        throw new JembedException(
            "this index was opened without a model: give a query vector or use keyword search");
      }
      v = model.encodeQuery(List.of(r.queryText()), EncodeOptions.defaults()).get(0);
    }
    int dim = metadata.model().dimension();
    if (v.length != dim) {
      throw new IllegalArgumentException(
          "query vector has " + v.length + " dimensions; this index holds " + dim);
    }
    return unitVectors() ? Vectors.normalized(v) : v;
  }

  /**
   * Whether vectors are kept at unit length: a model that promises normalized vectors compared by
   * cosine or dot product (stores may then use the dot product, as Lucene does).
   */
  private boolean unitVectors() {
    return keepsUnitVectors(metadata.model());
  }

  /** Whether stores keep this model's vectors at unit length (see {@link #importDocuments}). */
  public static boolean keepsUnitVectors(io.jembed.ModelInfo info) {
    return info.normalized()
        && (info.similarity() == io.jembed.SimilarityFunction.COSINE
            || info.similarity() == io.jembed.SimilarityFunction.DOT);
  }

  // -------------------------------------------------------------------------------- closing

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeStore();
    }
  }
}
