package io.jembed.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.ProgressListener;
import io.jembed.SimilarityFunction;
import io.jembed.Vectors;
import io.jembed.index.IndexMetadata.FieldType;
import io.jembed.toolkit.AtomicFiles;
import io.jembed.toolkit.Chunk;
import io.jembed.toolkit.Chunker;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The embedded {@link VectorStore}: an Apache Lucene index in a folder. HNSW graphs (optionally
 * quantized) for vector search, BM25 for keywords, points for numeric and date filters; no server.
 *
 * <pre>{@code
 * try (EmbeddingModel model = EmbeddingModel.load("all-MiniLM-L6-v2");
 *     LuceneVectorStore index = LuceneVectorStore.create(dir, model, IndexOptions.defaults())) {
 *   index.upsert(Document.builder("a").text("A man is eating food.").metadata("lang", "en").build());
 *   index.commit();
 *   List<SearchHit> hits = index.search(SearchRequest.of("someone eats", 5));
 * }
 * }</pre>
 *
 * <p>Each document is stored as its chunks (one vector each), carrying the document's id, offsets
 * and metadata; the first chunk also keeps the full text, for {@link #reindex}. The model's
 * identity is stored in every commit: opening with another model is refused.
 *
 * <p>One process writes at a time (Lucene's write lock); any number of readers may search the
 * committed state meanwhile, in this process or others ({@link #openReadOnly}).
 */
public final class LuceneVectorStore implements VectorStore {
  /** The sidecar that says, for people and tools, what the index is. */
  public static final String METADATA_FILE = "jembed-index.json";

  static final String USER_DATA_KEY = "jembed.index";
  static final String F_ID = "id";
  static final String F_CHUNK = "chunk";
  static final String F_START = "start";
  static final String F_END = "end";
  static final String F_TEXT = "text";
  static final String F_META = "meta";
  static final String F_SOURCE = "source";
  static final String F_HEAD = "head";
  static final String F_VECTOR = "vector";
  private static final Set<String> HIT_FIELDS =
      Set.of(F_ID, F_CHUNK, F_START, F_END, F_TEXT, F_META);

  private final Path path;
  private final Directory directory;
  private final IndexWriter writer; // null when read-only
  private final SearcherManager searchers;
  private final EmbeddingModel model; // null: pre-computed vectors and keyword search only
  private final Chunker chunker;
  private final Analyzer analyzer = new StandardAnalyzer();
  private final VectorSimilarityFunction vectorSimilarity;
  private volatile IndexMetadata metadata;
  private final Object metadataLock = new Object();

  private LuceneVectorStore(
      Path path,
      Directory directory,
      IndexWriter writer,
      EmbeddingModel model,
      IndexMetadata metadata)
      throws IOException {
    this.path = path;
    this.directory = directory;
    this.writer = writer;
    this.model = model;
    this.metadata = metadata;
    this.vectorSimilarity = vectorSimilarity(metadata.model());
    this.searchers =
        writer == null
            ? new SearcherManager(directory, new SearcherFactory())
            : new SearcherManager(writer, true, false, new SearcherFactory());
    this.chunker =
        model == null
            ? null
            : Chunker.builder()
                .model(model)
                .maxTokens(metadata.maxTokens())
                .overlapTokens(metadata.overlapTokens())
                .build();
  }

  // ---------------------------------------------------------------------------------- opening

  /**
   * Creates a new index in {@code dir} (which must not exist or be empty) for {@code model}, and
   * commits it empty, so it opens from now on.
   */
  public static LuceneVectorStore create(Path dir, EmbeddingModel model, IndexOptions options) {
    if (model == null) {
      throw new IllegalArgumentException("an index is created for a model: model is null");
    }
    ModelInfo info = model.info();
    vectorSimilarity(info); // refuses similarities Lucene cannot index, before touching the disk
    try {
      if (Files.exists(dir)) {
        if (!Files.isDirectory(dir)) {
          throw new JembedException(dir + " is a file, not a folder for an index");
        }
        try (Stream<Path> s = Files.list(dir)) {
          if (s.findAny().isPresent()) {
            throw new JembedException(
                dir
                    + " is not empty: create the index in a new folder"
                    + (Files.exists(dir.resolve(METADATA_FILE))
                        ? " (it holds an index already)"
                        : ""));
          }
        }
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new JembedException("cannot create index folder " + dir + ": " + e.getMessage(), e);
    }
    int maxTokens =
        options.maxTokens() != null ? options.maxTokens() : Math.max(2, info.maxSeqLength());
    String modelName = options.modelName() != null ? options.modelName() : loadName(info);
    IndexMetadata meta =
        new IndexMetadata(
            IndexMetadata.FORMAT,
            modelName,
            info,
            options.quantization(),
            options.hnswM(),
            options.beamWidth(),
            maxTokens,
            options.overlapTokens(),
            Map.of());
    LuceneVectorStore store =
        openWriter(dir, model, meta, IndexWriterConfig.OpenMode.CREATE, options.ramBufferMb());
    store.commit();
    return store;
  }

  /** Opens an existing index for reading and writing; {@code model} must be the index's model. */
  public static LuceneVectorStore open(Path dir, EmbeddingModel model) {
    return open(dir, model, 256);
  }

  /**
   * As {@link #open(Path, EmbeddingModel)}, buffering up to {@code ramBufferMb} before flushing.
   */
  public static LuceneVectorStore open(Path dir, EmbeddingModel model, double ramBufferMb) {
    IndexMetadata meta = readMetadata(dir);
    checkModel(dir, meta, model);
    return openWriter(dir, model, meta, IndexWriterConfig.OpenMode.APPEND, ramBufferMb);
  }

  /**
   * Opens an index to search only, while another process may be writing it: each search sees the
   * latest commit. {@code model} embeds text queries; it may be null for keyword search and
   * pre-computed query vectors.
   */
  public static LuceneVectorStore openReadOnly(Path dir, EmbeddingModel model) {
    IndexMetadata meta = readMetadata(dir);
    if (model != null) {
      checkModel(dir, meta, model);
    }
    Directory d = null;
    try {
      d = FSDirectory.open(dir);
      return new LuceneVectorStore(dir, d, null, model, meta);
    } catch (IOException | RuntimeException e) {
      closeQuietly(d);
      throw openFailure(dir, e);
    }
  }

  /**
   * What the index in {@code dir} is (model, quantization, fields), from its latest commit, with a
   * clear error for a missing, foreign or damaged folder.
   */
  public static IndexMetadata readMetadata(Path dir) {
    if (!Files.exists(dir)) {
      throw new JembedException("no index at " + dir + ": the folder does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new JembedException(dir + " is a file, not an index folder");
    }
    try (Directory d = FSDirectory.open(dir)) {
      boolean hasSidecar = Files.exists(dir.resolve(METADATA_FILE));
      if (!DirectoryReader.indexExists(d)) {
        throw new JembedException(
            hasSidecar
                ? "index at " + dir + " is damaged: " + METADATA_FILE + " is there but no commit"
                : dir + " is not a jembed index (no " + METADATA_FILE + ", no Lucene index)");
      }
      Map<String, String> userData = SegmentInfos.readLatestCommit(d).getUserData();
      String json = userData.get(USER_DATA_KEY);
      if (json == null) {
        throw new JembedException(
            dir + " is a Lucene index that jembed did not create (no jembed metadata in it)");
      }
      return IndexMetadata.fromJson(json, "index at " + dir);
    } catch (IOException | RuntimeException e) {
      throw openFailure(dir, e);
    }
  }

  private static LuceneVectorStore openWriter(
      Path dir,
      EmbeddingModel model,
      IndexMetadata meta,
      IndexWriterConfig.OpenMode mode,
      double ramBufferMb) {
    Directory d = null;
    IndexWriter w = null;
    try {
      d = FSDirectory.open(dir);
      TieredMergePolicy merges = new TieredMergePolicy();
      merges.setNoCFSRatio(0.0); // separate files, so stats can tell vectors from graph from text
      IndexWriterConfig config =
          new IndexWriterConfig(new StandardAnalyzer())
              .setOpenMode(mode)
              .setCodec(new JembedCodec(meta.quantization(), meta.hnswM(), meta.beamWidth()))
              .setCommitOnClose(false)
              .setUseCompoundFile(false)
              .setMergePolicy(merges)
              .setRAMBufferSizeMB(ramBufferMb);
      w = new IndexWriter(d, config);
      return new LuceneVectorStore(dir, d, w, model, meta);
    } catch (IOException | RuntimeException e) {
      closeQuietly(w);
      closeQuietly(d);
      throw openFailure(dir, e);
    }
  }

  private static JembedException openFailure(Path dir, Exception e) {
    if (e instanceof JembedException je) {
      return je;
    }
    if (e instanceof LockObtainFailedException) {
      return new JembedException(
          "index at "
              + dir
              + " is being written by another process (its write.lock is held); search it"
              + " read-only, or wait for the writer to finish",
          e);
    }
    if (e instanceof AccessDeniedException) {
      return new JembedException("cannot open index at " + dir + ": access denied", e);
    }
    if (e instanceof CorruptIndexException
        || e instanceof IndexFormatTooOldException
        || e instanceof IndexFormatTooNewException
        || e instanceof EOFException
        || e instanceof NoSuchFileException
        || e instanceof IndexNotFoundException) {
      return new JembedException(
          "index at " + dir + " is damaged or unreadable: " + firstLine(e.getMessage()), e);
    }
    return new JembedException(
        "cannot open index at " + dir + ": " + firstLine(String.valueOf(e.getMessage())), e);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }

  private static void checkModel(Path dir, IndexMetadata meta, EmbeddingModel model) {
    if (model == null) {
      throw new IllegalArgumentException("opening an index for writing needs its model");
    }
    ModelInfo stored = meta.model();
    ModelInfo given = model.info();
    if (!stored.identity().equals(given.identity())) {
      throw new JembedException(
          "index at "
              + dir
              + " was built with model "
              + stored.id()
              + " ["
              + stored.identity()
              + "], not "
              + given.id()
              + " ["
              + given.identity()
              + "]: vectors of different models are not comparable. Use the index's model, or"
              + " re-embed everything with `jembed index reindex "
              + dir
              + " --model "
              + given.id()
              + "`");
    }
  }

  /** The name that loads the model again with {@link EmbeddingModel#load(String)}. */
  static String loadName(ModelInfo info) {
    return "local".equals(info.provider()) ? info.id() : info.provider() + ":" + info.id();
  }

  static VectorSimilarityFunction vectorSimilarity(ModelInfo info) {
    return switch (info.similarity()) {
      case COSINE ->
          info.normalized()
              ? VectorSimilarityFunction.DOT_PRODUCT
              : VectorSimilarityFunction.COSINE;
      case DOT ->
          info.normalized()
              ? VectorSimilarityFunction.DOT_PRODUCT
              : VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
      case EUCLIDEAN -> VectorSimilarityFunction.EUCLIDEAN;
      case MANHATTAN ->
          throw new JembedException(
              "model "
                  + info.id()
                  + " compares vectors by Manhattan distance, which Lucene's HNSW cannot index:"
                  + " use cosine, dot or euclidean");
    };
  }

  // ------------------------------------------------------------------------------- properties

  @Override
  public ModelInfo model() {
    return metadata.model();
  }

  public IndexMetadata metadata() {
    return metadata;
  }

  public Path path() {
    return path;
  }

  public boolean isReadOnly() {
    return writer == null;
  }

  // ----------------------------------------------------------------------------------- writing

  @Override
  public void upsert(Collection<Document> documents) {
    IndexWriter w = requireWriter();
    if (documents.isEmpty()) {
      return;
    }
    // chunk everything first, then embed all chunks of the batch in one call (batched inference)
    List<List<Chunk>> chunksPerDoc = new ArrayList<>(documents.size());
    List<String> toEmbed = new ArrayList<>();
    Set<String> ids = new java.util.HashSet<>();
    int dim = metadata.model().dimension();
    for (Document doc : documents) {
      if (!ids.add(doc.id())) {
        throw new IllegalArgumentException(
            "document id '" + doc.id() + "' appears twice in one batch");
      }
      if (doc.hasVector()) {
        if (doc.vectorUnsafe().length != dim) {
          throw new IllegalArgumentException(
              "document '"
                  + doc.id()
                  + "' has a "
                  + doc.vectorUnsafe().length
                  + "-d vector; this index holds "
                  + dim
                  + "-d vectors of "
                  + metadata.model().id());
        }
        String t = doc.text();
        chunksPerDoc.add(List.of(new Chunk(0, t, 0, t.length(), 0)));
        continue;
      }
      if (doc.text().isBlank()) {
        throw new IllegalArgumentException(
            "document '" + doc.id() + "' has no text and no vector: nothing to index");
      }
      if (chunker == null) {
        throw new JembedException(
            "this index was opened without a model: give documents pre-computed vectors");
      }
      List<Chunk> chunks = chunker.chunk(doc.text());
      chunksPerDoc.add(chunks);
      for (Chunk c : chunks) {
        toEmbed.add(c.text());
      }
    }
    Map<String, FieldType> newFields = fieldTypes(documents);
    float[][] vectors =
        toEmbed.isEmpty()
            ? new float[0][]
            : model.encodeDocument(toEmbed, EncodeOptions.defaults()).vectors();
    int next = 0;
    try {
      Iterator<List<Chunk>> perDoc = chunksPerDoc.iterator();
      for (Document doc : documents) {
        List<Chunk> chunks = perDoc.next();
        String metaJson = metadataJson(doc.metadata());
        List<org.apache.lucene.document.Document> luceneDocs = new ArrayList<>(chunks.size());
        for (Chunk c : chunks) {
          float[] v = doc.hasVector() ? doc.vectorUnsafe().clone() : vectors[next++];
          if (vectorSimilarity == VectorSimilarityFunction.DOT_PRODUCT) {
            // Lucene's dot product assumes unit vectors; the model promises them, rounding aside
            v = Vectors.normalized(v);
          }
          luceneDocs.add(chunkDocument(doc, c, v, metaJson, newFields));
        }
        w.updateDocuments(new Term(F_ID, doc.id()), luceneDocs);
      }
    } catch (IOException e) {
      throw new JembedException("cannot write to index at " + path + ": " + e.getMessage(), e);
    }
  }

  private Map<String, FieldType> fieldTypes(Collection<Document> documents) {
    synchronized (metadataLock) {
      Map<String, FieldType> fields = new TreeMap<>(metadata.fields());
      boolean changed = false;
      for (Document doc : documents) {
        for (Map.Entry<String, Object> e : doc.metadata().entrySet()) {
          FieldType type = typeOf(e.getValue());
          FieldType known = fields.putIfAbsent(e.getKey(), type);
          if (known != null && known != type) {
            throw new IllegalArgumentException(
                "metadata '"
                    + e.getKey()
                    + "' of document '"
                    + doc.id()
                    + "' is a "
                    + type.name().toLowerCase(java.util.Locale.ROOT)
                    + ", but this index holds it as a "
                    + known.name().toLowerCase(java.util.Locale.ROOT));
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

  private static FieldType typeOf(Object v) {
    if (v instanceof Number) {
      return FieldType.NUMBER;
    }
    if (v instanceof String || v instanceof Collection) {
      return FieldType.KEYWORD;
    }
    return FieldType.DATE;
  }

  private static org.apache.lucene.document.Document chunkDocument(
      Document doc, Chunk c, float[] v, String metaJson, Map<String, FieldType> fields) {
    org.apache.lucene.document.Document d = new org.apache.lucene.document.Document();
    d.add(new StringField(F_ID, doc.id(), Field.Store.YES));
    // doc values: grouping candidates by document without loading stored fields
    d.add(new SortedDocValuesField(F_ID, new BytesRef(doc.id())));
    d.add(new NumericDocValuesField(F_CHUNK, c.index()));
    d.add(new StoredField(F_CHUNK, c.index()));
    d.add(new StoredField(F_START, c.start()));
    d.add(new StoredField(F_END, c.end()));
    d.add(new TextField(F_TEXT, c.text(), Field.Store.YES));
    d.add(new KnnFloatVectorField(F_VECTOR, v, vectorSimilarityOf(d, v)));
    if (!metaJson.isEmpty()) {
      d.add(new StoredField(F_META, metaJson));
    }
    if (c.index() == 0) {
      d.add(new StringField(F_HEAD, "1", Field.Store.NO));
      d.add(new StoredField(F_SOURCE, doc.text()));
    }
    for (Map.Entry<String, Object> e : doc.metadata().entrySet()) {
      String name = e.getKey();
      Object value = e.getValue();
      switch (fields.get(name)) {
        case KEYWORD -> {
          if (value instanceof Collection<?> values) {
            for (Object o : values) {
              d.add(new StringField("k." + name, (String) o, Field.Store.NO));
            }
          } else {
            d.add(new StringField("k." + name, (String) value, Field.Store.NO));
          }
        }
        case NUMBER -> d.add(new DoublePoint("n." + name, ((Number) value).doubleValue()));
        case DATE -> d.add(new LongPoint("d." + name, epochMillis(value)));
      }
    }
    return d;
  }

  // the similarity is fixed per index; set by the instance before chunkDocument runs
  private static final ThreadLocal<VectorSimilarityFunction> CURRENT_SIMILARITY =
      new ThreadLocal<>();

  private static VectorSimilarityFunction vectorSimilarityOf(
      org.apache.lucene.document.Document d, float[] v) {
    return CURRENT_SIMILARITY.get();
  }

  @Override
  public void delete(Collection<String> ids) {
    IndexWriter w = requireWriter();
    try {
      Term[] terms = ids.stream().map(id -> new Term(F_ID, id)).toArray(Term[]::new);
      if (terms.length > 0) {
        w.deleteDocuments(terms);
      }
    } catch (IOException e) {
      throw new JembedException("cannot delete from index at " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long commit() {
    IndexWriter w = requireWriter();
    try {
      synchronized (metadataLock) {
        String json = metadata.toJson();
        w.setLiveCommitData(Map.of(USER_DATA_KEY, json).entrySet());
        w.commit();
        // the commit's user data is the truth; the sidecar is for people and tools
        AtomicFiles.write(
            path.resolve(METADATA_FILE), out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
      }
      searchers.maybeRefreshBlocking();
      return countDocuments();
    } catch (IOException e) {
      throw new JembedException("cannot commit index at " + path + ": " + e.getMessage(), e);
    }
  }

  /** Merges the index into at most {@code maxSegments} segments: faster search, slow to run. */
  public void forceMerge(int maxSegments) {
    IndexWriter w = requireWriter();
    try {
      w.forceMerge(maxSegments);
    } catch (IOException e) {
      throw new JembedException("cannot merge index at " + path + ": " + e.getMessage(), e);
    }
  }

  private IndexWriter requireWriter() {
    if (writer == null) {
      throw new JembedException("index at " + path + " is open read-only");
    }
    if (!writer.isOpen()) {
      throw new JembedException("index at " + path + " is closed");
    }
    CURRENT_SIMILARITY.set(vectorSimilarity);
    return writer;
  }

  // ----------------------------------------------------------------------------------- reading

  private long countDocuments() throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      return s.count(new TermQuery(new Term(F_HEAD, "1")));
    } finally {
      searchers.release(s);
    }
  }

  private IndexSearcher acquire() throws IOException {
    if (writer == null) {
      searchers.maybeRefresh(); // another process may have committed
    }
    return searchers.acquire();
  }

  @Override
  public boolean contains(String id) {
    try {
      IndexSearcher s = acquire();
      try {
        return s.count(new TermQuery(new Term(F_ID, id))) > 0;
      } finally {
        searchers.release(s);
      }
    } catch (IOException e) {
      throw new JembedException("cannot read index at " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<SearchHit> search(SearchRequest request) {
    try {
      IndexSearcher s = acquire();
      try {
        return search(s, request);
      } finally {
        searchers.release(s);
      }
    } catch (IOException e) {
      throw new JembedException("cannot search index at " + path + ": " + e.getMessage(), e);
    }
  }

  /** A ranked candidate: a chunk (Lucene doc) and its score. */
  private record Candidate(int doc, double score) {}

  private List<SearchHit> search(IndexSearcher s, SearchRequest r) throws IOException {
    Query filter = toQuery(r.filters());
    int k = r.k();
    int want = Math.max(k, r.numCandidates() > 0 ? r.numCandidates() : 100);
    return switch (r.mode()) {
      case VECTOR -> top(s, vectorRanking(s, r, filter, k), k, r.groupByDocument());
      case KEYWORD -> top(s, keywordRanking(s, r, filter, k), k, r.groupByDocument());
      case HYBRID -> {
        List<Hit> vector = vectorRanking(s, r, filter, want);
        List<Hit> keyword = keywordRanking(s, r, filter, want);
        yield fuse(vector, keyword, r, k);
      }
    };
  }

  /** A hit before it is a {@link SearchHit}: grouped by document if asked, best first. */
  private record Hit(String key, int doc, double score) {}

  private List<SearchHit> top(IndexSearcher s, List<Hit> hits, int k, boolean group)
      throws IOException {
    List<SearchHit> out = new ArrayList<>(Math.min(k, hits.size()));
    StoredFields stored = s.storedFields();
    for (Hit h : hits.subList(0, Math.min(k, hits.size()))) {
      out.add(toSearchHit(stored, h.doc(), h.score()));
    }
    return out;
  }

  /**
   * Vector hits, best first, at least {@code want} of them (documents when grouping) if the index
   * has them. Filters run inside the graph search.
   */
  private List<Hit> vectorRanking(IndexSearcher s, SearchRequest r, Query filter, int want)
      throws IOException {
    float[] query = queryVector(r);
    int ef = Math.max(want, r.numCandidates() > 0 ? r.numCandidates() : 100);
    if (r.rescore()) {
      ef = Math.max(ef, want * 3); // oversample, then exact scores pick the best
    }
    int total = s.getIndexReader().numDocs();
    while (true) {
      KnnFloatVectorQuery q = new KnnFloatVectorQuery(F_VECTOR, query, ef, filter);
      TopDocs top = s.search(q, ef);
      List<Candidate> cands = new ArrayList<>(top.scoreDocs.length);
      for (ScoreDoc sd : top.scoreDocs) {
        cands.add(new Candidate(sd.doc, fromLuceneScore(sd.score)));
      }
      if (r.rescore()) {
        cands = rescore(s, query, cands);
      }
      List<Hit> hits = group(s, cands, r.groupByDocument());
      if (hits.size() >= want || top.scoreDocs.length < ef || ef >= total) {
        return hits;
      }
      ef = Math.min(total, ef * 4); // many chunks per document: look further
    }
  }

  private float[] queryVector(SearchRequest r) {
    float[] v = r.queryVectorUnsafe();
    if (v == null) {
      if (model == null) {
        throw new JembedException(
            "this index was opened without a model: give a query vector or use keyword search");
      }
      v = model.encodeQuery(List.of(r.queryText()), EncodeOptions.defaults()).get(0);
    }
    if (v.length != metadata.model().dimension()) {
      throw new IllegalArgumentException(
          "query vector has "
              + v.length
              + " dimensions; this index holds "
              + metadata.model().dimension());
    }
    if (vectorSimilarity == VectorSimilarityFunction.DOT_PRODUCT) {
      v = Vectors.normalized(v);
    }
    return v;
  }

  /** Lucene's score back to the model's similarity (cosine, dot, negative distance). */
  private double fromLuceneScore(float score) {
    return switch (vectorSimilarity) {
      case DOT_PRODUCT, COSINE -> 2.0 * score - 1.0;
      case EUCLIDEAN -> -Math.sqrt(Math.max(0, 1.0 / score - 1.0));
      case MAXIMUM_INNER_PRODUCT -> score < 1 ? 1 - 1.0 / score : score - 1.0;
    };
  }

  /** Exact scores from the stored float vectors, best first. */
  private List<Candidate> rescore(IndexSearcher s, float[] query, List<Candidate> cands)
      throws IOException {
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    List<Candidate> byDoc = new ArrayList<>(cands);
    byDoc.sort(Comparator.comparingInt(Candidate::doc)); // vector iterators only move forward
    SimilarityFunction sim = metadata.model().similarity();
    List<Candidate> out = new ArrayList<>(cands.size());
    int leafIndex = -1;
    FloatVectorValues values = null;
    KnnVectorValues.DocIndexIterator it = null;
    for (Candidate c : byDoc) {
      int li = ReaderUtil.subIndex(c.doc(), leaves);
      LeafReaderContext leaf = leaves.get(li);
      if (li != leafIndex) {
        leafIndex = li;
        values = leaf.reader().getFloatVectorValues(F_VECTOR);
        it = values == null ? null : values.iterator();
      }
      int target = c.doc() - leaf.docBase;
      if (it != null
          && (it.docID() == target || (it.docID() < target && it.advance(target) == target))) {
        float[] v = values.vectorValue(it.index());
        out.add(new Candidate(c.doc(), score(sim, query, v)));
      } else {
        out.add(c);
      }
    }
    out.sort(Comparator.comparingDouble(Candidate::score).reversed());
    return out;
  }

  private double score(SimilarityFunction sim, float[] a, float[] b) {
    if (vectorSimilarity == VectorSimilarityFunction.DOT_PRODUCT) {
      double dot = 0;
      for (int i = 0; i < a.length; i++) {
        dot += a[i] * b[i];
      }
      return dot;
    }
    return sim.score(a, b);
  }

  private List<Hit> keywordRanking(IndexSearcher s, SearchRequest r, Query filter, int want)
      throws IOException {
    Query words = keywordQuery(r.queryText());
    if (words == null) {
      return List.of();
    }
    Query q =
        filter == null
            ? words
            : new BooleanQuery.Builder()
                .add(words, BooleanClause.Occur.MUST)
                .add(filter, BooleanClause.Occur.FILTER)
                .build();
    int n = Math.max(want, 10);
    int total = Math.max(1, s.getIndexReader().numDocs());
    while (true) {
      TopDocs top = s.search(q, n);
      List<Candidate> cands = new ArrayList<>(top.scoreDocs.length);
      for (ScoreDoc sd : top.scoreDocs) {
        cands.add(new Candidate(sd.doc, sd.score));
      }
      List<Hit> hits = group(s, cands, r.groupByDocument());
      if (hits.size() >= want || top.scoreDocs.length < n || n >= total) {
        return hits;
      }
      n = Math.min(total, n * 4);
    }
  }

  /** BM25 over the analyzed words of the query (no query syntax to trip over). */
  private Query keywordQuery(String text) throws IOException {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    int clauses = 0;
    try (TokenStream ts = analyzer.tokenStream(F_TEXT, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      Set<String> seen = new java.util.HashSet<>();
      while (ts.incrementToken() && clauses < IndexSearcher.getMaxClauseCount()) {
        if (seen.add(term.toString())) {
          b.add(new TermQuery(new Term(F_TEXT, term.toString())), BooleanClause.Occur.SHOULD);
          clauses++;
        }
      }
      ts.end();
    }
    return clauses == 0 ? null : b.build();
  }

  /** Keeps the best chunk of each document (or every chunk), in order. */
  private List<Hit> group(IndexSearcher s, List<Candidate> cands, boolean byDocument)
      throws IOException {
    String[] keys = keys(s, cands, !byDocument);
    List<Hit> hits = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < cands.size(); i++) {
      if (seen.add(keys[i])) {
        hits.add(new Hit(keys[i], cands.get(i).doc(), cands.get(i).score()));
      }
    }
    return hits;
  }

  /** Each candidate's document id (and chunk), read from doc values in doc order. */
  private static String[] keys(IndexSearcher s, List<Candidate> cands, boolean withChunk)
      throws IOException {
    Integer[] order = new Integer[cands.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, Comparator.comparingInt(i -> cands.get(i).doc()));
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    String[] keys = new String[cands.size()];
    int leafIndex = -1;
    SortedDocValues ids = null;
    NumericDocValues chunks = null;
    LeafReaderContext leaf = null;
    for (int i : order) {
      int doc = cands.get(i).doc();
      int li = ReaderUtil.subIndex(doc, leaves);
      if (li != leafIndex) {
        leafIndex = li;
        leaf = leaves.get(li);
        ids = leaf.reader().getSortedDocValues(F_ID);
        chunks = withChunk ? leaf.reader().getNumericDocValues(F_CHUNK) : null;
      }
      int local = doc - leaf.docBase;
      String id =
          ids != null && ids.advanceExact(local)
              ? ids.lookupOrd(ids.ordValue()).utf8ToString()
              : "?" + doc;
      if (withChunk) {
        long chunk = chunks != null && chunks.advanceExact(local) ? chunks.longValue() : doc;
        id = id + "#" + chunk;
      }
      keys[i] = id;
    }
    return keys;
  }

  /** Reciprocal-rank fusion: score = sum over rankings of weight / (rrfK + rank). */
  private List<SearchHit> fuse(List<Hit> vector, List<Hit> keyword, SearchRequest r, int k)
      throws IOException {
    Map<String, double[]> scores = new LinkedHashMap<>();
    Map<String, Integer> docs = new HashMap<>();
    for (int i = 0; i < vector.size(); i++) {
      Hit h = vector.get(i);
      scores.computeIfAbsent(h.key(), x -> new double[1])[0] +=
          r.vectorWeight() / (r.rrfK() + i + 1);
      docs.putIfAbsent(h.key(), h.doc());
    }
    for (int i = 0; i < keyword.size(); i++) {
      Hit h = keyword.get(i);
      scores.computeIfAbsent(h.key(), x -> new double[1])[0] +=
          r.keywordWeight() / (r.rrfK() + i + 1);
      docs.putIfAbsent(h.key(), h.doc());
    }
    List<Hit> fused = new ArrayList<>();
    scores.forEach((key, sc) -> fused.add(new Hit(key, docs.get(key), sc[0])));
    fused.sort(Comparator.comparingDouble(Hit::score).reversed());
    IndexSearcher s = searchers.acquire();
    try {
      // the same point-in-time reader is not guaranteed here; doc ids are only valid for the
      // searcher they came from, so fusion resolves them in searchHybrid
      return topWith(s, fused, k);
    } finally {
      searchers.release(s);
    }
  }

  private List<SearchHit> topWith(IndexSearcher s, List<Hit> hits, int k) throws IOException {
    return top(s, hits, k, true);
  }

  private SearchHit toSearchHit(StoredFields stored, int doc, double score) throws IOException {
    org.apache.lucene.document.Document d = stored.document(doc, HIT_FIELDS);
    String meta = d.get(F_META);
    return new SearchHit(
        d.get(F_ID),
        score,
        d.get(F_TEXT),
        d.getField(F_CHUNK).numericValue().intValue(),
        d.getField(F_START).numericValue().intValue(),
        d.getField(F_END).numericValue().intValue(),
        meta == null ? Map.of() : parseMetadata(meta));
  }

  // ----------------------------------------------------------------------------------- filters

  private Query toQuery(List<Filter> filters) {
    if (filters.isEmpty()) {
      return null;
    }
    if (filters.size() == 1) {
      return toQuery(filters.get(0));
    }
    return toQuery(new Filter.All(filters));
  }

  private Query toQuery(Filter f) {
    return switch (f) {
      case Filter.All all -> {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Filter x : all.filters()) {
          b.add(toQuery(x), BooleanClause.Occur.FILTER);
        }
        yield b.build();
      }
      case Filter.Term t -> {
        FieldType type = fieldType(t.field());
        yield switch (type) {
          case KEYWORD -> new TermQuery(new Term("k." + t.field(), t.value()));
          case NUMBER -> DoublePoint.newExactQuery("n." + t.field(), number(t.field(), t.value()));
          case DATE -> {
            long[] span = dateSpan(t.field(), t.value());
            yield LongPoint.newRangeQuery("d." + t.field(), span[0], span[1]);
          }
        };
      }
      case Filter.Range rg -> {
        FieldType type = fieldType(rg.field());
        yield switch (type) {
          case KEYWORD ->
              TermRangeQuery.newStringRange(
                  "k." + rg.field(),
                  rg.lower(),
                  rg.upper(),
                  rg.lowerInclusive(),
                  rg.upperInclusive());
          case NUMBER -> {
            double lo =
                rg.lower() == null ? Double.NEGATIVE_INFINITY : number(rg.field(), rg.lower());
            double hi =
                rg.upper() == null ? Double.POSITIVE_INFINITY : number(rg.field(), rg.upper());
            if (rg.lower() != null && !rg.lowerInclusive()) {
              lo = Math.nextUp(lo);
            }
            if (rg.upper() != null && !rg.upperInclusive()) {
              hi = Math.nextDown(hi);
            }
            yield DoublePoint.newRangeQuery("n." + rg.field(), lo, hi);
          }
          case DATE -> {
            long lo = Long.MIN_VALUE;
            long hi = Long.MAX_VALUE;
            if (rg.lower() != null) {
              long[] span = dateSpan(rg.field(), rg.lower());
              lo = rg.lowerInclusive() ? span[0] : span[1] + 1;
            }
            if (rg.upper() != null) {
              long[] span = dateSpan(rg.field(), rg.upper());
              hi = rg.upperInclusive() ? span[1] : span[0] - 1;
            }
            yield LongPoint.newRangeQuery("d." + rg.field(), lo, hi);
          }
        };
      }
    };
  }

  private FieldType fieldType(String field) {
    FieldType type = metadata.fields().get(field);
    if (type == null) {
      throw new IllegalArgumentException(
          "no metadata field '"
              + field
              + "' in this index"
              + (metadata.fields().isEmpty()
                  ? " (it has no metadata)"
                  : " (fields: " + String.join(", ", metadata.fields().keySet()) + ")"));
    }
    return type;
  }

  private static double number(String field, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "filter on numeric field '" + field + "' needs a number, got '" + value + "'");
    }
  }

  /** The milliseconds a date value covers: a whole day for 2024-05-01, one instant otherwise. */
  static long[] dateSpan(String field, String value) {
    String v = value.trim();
    try {
      LocalDate day = LocalDate.parse(v);
      long start = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      return new long[] {start, start + 86_400_000L - 1};
    } catch (DateTimeParseException e) {
      // not a plain date: an instant below
    }
    long t = parseInstant(field, v).toEpochMilli();
    return new long[] {t, t};
  }

  private static Instant parseInstant(String field, String v) {
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(v).toInstant();
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException(
            "filter on date field '"
                + field
                + "' needs an ISO date (2024-05-01) or instant (2024-05-01T12:00:00Z), got '"
                + v
                + "'");
      }
    }
  }

  /** A stored date as it was given: a day stays a day. */
  private static Object dateValue(String field, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      return parseInstant(field, value);
    }
  }

  static long epochMillis(Object value) {
    return switch (value) {
      case Instant i -> i.toEpochMilli();
      case LocalDate d -> d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      case OffsetDateTime o -> o.toInstant().toEpochMilli();
      case ZonedDateTime z -> z.toInstant().toEpochMilli();
      case Date d -> d.getTime();
      default -> throw new IllegalArgumentException("not a date: " + value);
    };
  }

  // -------------------------------------------------------------------------------- metadata

  private static String metadataJson(Map<String, Object> metadata) {
    if (metadata.isEmpty()) {
      return "";
    }
    ObjectNode o = IndexMetadata.MAPPER.createObjectNode();
    metadata.forEach(
        (k, v) -> {
          switch (v) {
            case String str -> o.put(k, str);
            case Collection<?> c -> c.forEach(x -> o.withArray(k).add((String) x));
            case Integer i -> o.put(k, i);
            case Long l -> o.put(k, l);
            case Short sh -> o.put(k, sh);
            case Byte by -> o.put(k, by);
            case Number n -> o.put(k, n.doubleValue());
            case LocalDate d -> o.put(k, d.toString());
            default -> o.put(k, Instant.ofEpochMilli(epochMillis(v)).toString());
          }
        });
    return o.toString();
  }

  private static Map<String, Object> parseMetadata(String json) {
    try {
      JsonNode o = IndexMetadata.MAPPER.readTree(json);
      Map<String, Object> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        if (v.isArray()) {
          List<String> values = new ArrayList<>();
          v.forEach(x -> values.add(x.asText()));
          out.put(e.getKey(), List.copyOf(values));
        } else if (v.isIntegralNumber()) {
          out.put(e.getKey(), v.asLong());
        } else if (v.isNumber()) {
          out.put(e.getKey(), v.asDouble());
        } else {
          out.put(e.getKey(), v.asText());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------- stats, export

  @Override
  public IndexStats stats() {
    try {
      IndexSearcher s = acquire();
      try {
        DirectoryReader reader = (DirectoryReader) s.getIndexReader();
        long docs = s.count(new TermQuery(new Term(F_HEAD, "1")));
        Map<String, Long> parts = new TreeMap<>();
        long total = 0;
        for (String file : directory.listAll()) {
          if (file.startsWith(".") || file.equals("write.lock")) {
            continue;
          }
          long len;
          try {
            len = directory.fileLength(file);
          } catch (NoSuchFileException e) {
            continue; // merged away meanwhile
          }
          total += len;
          parts.merge(part(file), len, Long::sum);
        }
        return new IndexStats(
            docs,
            reader.numDocs(),
            reader.numDeletedDocs(),
            reader.leaves().size(),
            total,
            parts,
            metadata.model(),
            metadata.quantization());
      } finally {
        searchers.release(s);
      }
    } catch (IOException e) {
      throw new JembedException("cannot read index at " + path + ": " + e.getMessage(), e);
    }
  }

  /** Which part of the index a file holds, by Lucene's file extensions. */
  static String part(String file) {
    int dot = file.lastIndexOf('.');
    String ext = dot < 0 ? "" : file.substring(dot + 1);
    return switch (ext) {
      case "vec" -> "vectors (float32)";
      case "veq" -> "vectors (quantized)";
      case "veb" -> "vectors (binary)";
      case "vex" -> "graph (HNSW)";
      case "vem", "vemf", "vemq", "vemb" -> "vector metadata";
      case "json" -> "jembed metadata";
      default -> "text, keywords and metadata";
    };
  }

  /** Every committed document as it was added (text and metadata; vectors are not returned). */
  public void forEachDocument(Consumer<Document> action) {
    try {
      IndexSearcher s = acquire();
      try {
        Map<String, FieldType> types = metadata.fields();
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
          Bits live = leaf.reader().getLiveDocs();
          StoredFields stored = leaf.reader().storedFields();
          for (int i = 0; i < leaf.reader().maxDoc(); i++) {
            if (live != null && !live.get(i)) {
              continue;
            }
            org.apache.lucene.document.Document d =
                stored.document(i, Set.of(F_ID, F_CHUNK, F_SOURCE, F_META));
            if (d.getField(F_CHUNK).numericValue().intValue() != 0) {
              continue;
            }
            Document.Builder b = Document.builder(d.get(F_ID)).text(d.get(F_SOURCE));
            String meta = d.get(F_META);
            if (meta != null) {
              parseMetadata(meta)
                  .forEach(
                      (k, v) ->
                          b.metadata(
                              k, types.get(k) == FieldType.DATE ? dateValue(k, v.toString()) : v));
            }
            action.accept(b.build());
          }
        }
      } finally {
        searchers.release(s);
      }
    } catch (IOException e) {
      throw new JembedException("cannot read index at " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Re-embeds every document of the index in {@code dir} with {@code newModel}, keeping texts,
   * metadata and settings: builds a new index beside it, then swaps the folders. Documents added
   * with only a pre-computed vector and no text cannot be re-embedded and are left out (counted in
   * the result). Returns the number of documents in the new index.
   */
  public static long reindex(
      Path dir, EmbeddingModel newModel, String newModelName, ProgressListener progress) {
    IndexMetadata old = readMetadata(dir);
    Path absolute = dir.toAbsolutePath().normalize();
    Path fresh = absolute.resolveSibling(absolute.getFileName() + ".reindex");
    Path retired = absolute.resolveSibling(absolute.getFileName() + ".old");
    deleteTree(fresh);
    IndexOptions options =
        IndexOptions.builder()
            .quantization(old.quantization())
            .hnswM(old.hnswM())
            .beamWidth(old.beamWidth())
            .overlapTokens(old.overlapTokens())
            .maxTokens(
                old.maxTokens() == old.model().maxSeqLength() ? null : (Integer) old.maxTokens())
            .modelName(newModelName)
            .build();
    long total;
    try (LuceneVectorStore source = openReadOnly(dir, null);
        LuceneVectorStore target = create(fresh, newModel, options)) {
      long expected = source.stats().documents();
      List<Document> batch = new ArrayList<>();
      long[] done = {0};
      source.forEachDocument(
          d -> {
            if (d.text().isBlank()) {
              return;
            }
            batch.add(d);
            if (batch.size() == 64) {
              target.upsert(batch);
              done[0] += batch.size();
              batch.clear();
              if (progress != null) {
                progress.progress(done[0], expected);
              }
            }
          });
      target.upsert(batch);
      done[0] += batch.size();
      if (progress != null) {
        progress.progress(done[0], expected);
      }
      target.commit();
      total = done[0];
    }
    try {
      deleteTree(retired);
      Files.move(absolute, retired, StandardCopyOption.ATOMIC_MOVE);
      Files.move(fresh, absolute, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(retired);
    } catch (IOException e) {
      throw new JembedException(
          "re-embedded index is ready in " + fresh + " but could not replace " + dir + ": " + e, e);
    }
    return total;
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    } catch (IOException e) {
      throw new JembedException("cannot remove " + p + ": " + e.getMessage(), e);
    }
  }

  // --------------------------------------------------------------------------------- closing

  @Override
  public void close() {
    try {
      searchers.close();
      if (writer != null) {
        writer.rollback(); // uncommitted writes are dropped, as the contract says
      }
      directory.close();
    } catch (IOException e) {
      throw new JembedException("cannot close index at " + path + ": " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // already failing with a better message
      }
    }
  }
}
