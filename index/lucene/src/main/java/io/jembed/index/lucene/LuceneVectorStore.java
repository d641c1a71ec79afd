package io.jembed.index.lucene;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.ProgressListener;
import io.jembed.index.FieldType;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.StoreCheck;
import io.jembed.index.StoreLocation;
import io.jembed.index.StoredDocument;
import io.jembed.index.VectorStores;
import io.jembed.index.spi.AbstractVectorStore;
import io.jembed.index.spi.StoreReader;
import io.jembed.toolkit.AtomicFiles;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * The embedded {@link io.jembed.index.VectorStore}: an Apache Lucene index in a folder. HNSW graphs
 * (optionally quantized) for vector search, BM25 for keywords, points for numeric and date filters;
 * no server.
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
 * <p>The layout is {@link LuceneSchema}'s, filters are {@link LuceneFilters}', searches {@link
 * LuceneReader}'s; what every store shares is {@link AbstractVectorStore}'s. The index's {@link
 * IndexMetadata} is kept in every commit's user data (and in {@value #METADATA_FILE} for people).
 *
 * <p>One process writes at a time (Lucene's write lock); any number of readers may search the
 * committed state meanwhile, in this process or others ({@link #openReadOnly}).
 */
public final class LuceneVectorStore extends AbstractVectorStore {
  /** The sidecar that says, for people and tools, what the index is. */
  public static final String METADATA_FILE = "jembed-index.json";

  static final String USER_DATA_KEY = "jembed.index";
  private static final double DEFAULT_RAM_BUFFER_MB = 256;

  private final Path path;
  private final Directory directory;
  private final IndexWriter writer; // null when read-only
  private final SearcherManager searchers;
  private final Analyzer analyzer = new StandardAnalyzer();
  private final VectorSimilarityFunction similarity;

  private LuceneVectorStore(
      Path path, Directory directory, IndexWriter writer, EmbeddingModel model, IndexMetadata meta)
      throws IOException {
    super(StoreLocation.of(path), meta, model, writer == null);
    this.path = path;
    this.directory = directory;
    this.writer = writer;
    this.similarity = LuceneSchema.similarity(meta.model());
    this.searchers =
        writer == null
            ? new SearcherManager(directory, new SearcherFactory())
            : new SearcherManager(writer, true, false, new SearcherFactory());
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
    return create(dir, IndexMetadata.of(model.info(), options), model, options.ramBufferMb());
  }

  static LuceneVectorStore create(
      Path dir, IndexMetadata meta, EmbeddingModel model, double ramBufferMb) {
    LuceneSchema.similarity(meta.model()); // refuses what Lucene cannot index, before any disk
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
    LuceneVectorStore store =
        openWriter(dir, model, meta, IndexWriterConfig.OpenMode.CREATE, ramBufferMb);
    store.commit();
    return store;
  }

  /** Opens an existing index for reading and writing; {@code model} must be the index's model. */
  public static LuceneVectorStore open(Path dir, EmbeddingModel model) {
    return open(dir, model, DEFAULT_RAM_BUFFER_MB);
  }

  /**
   * As {@link #open(Path, EmbeddingModel)}, buffering up to {@code ramBufferMb} before flushing.
   */
  public static LuceneVectorStore open(Path dir, EmbeddingModel model, double ramBufferMb) {
    if (model == null) {
      throw new IllegalArgumentException("opening an index for writing needs its model");
    }
    return open(dir, model, false, ramBufferMb, LuceneIntegrity.VERIFY_ON_OPEN_BYTES);
  }

  /**
   * Opens an index to search only, while another process may be writing it: each search sees the
   * latest commit. {@code model} embeds text queries; it may be null for keyword search and
   * pre-computed query vectors.
   */
  public static LuceneVectorStore openReadOnly(Path dir, EmbeddingModel model) {
    return open(dir, model, true, DEFAULT_RAM_BUFFER_MB, LuceneIntegrity.VERIFY_ON_OPEN_BYTES);
  }

  /**
   * Opens after checking the model and the checksums of the commit's files up to {@code
   * verifyBytes} each.
   */
  static LuceneVectorStore open(
      Path dir, EmbeddingModel model, boolean readOnly, double ramBufferMb, long verifyBytes) {
    IndexMetadata meta = readMetadata(dir);
    if (model != null) {
      meta.requireModel(StoreLocation.of(dir), model.info());
    }
    Directory d = null;
    try {
      d = FSDirectory.open(dir);
      LuceneIntegrity.verifyOnOpen(dir, d, verifyBytes);
    } catch (IOException | RuntimeException e) {
      closeQuietly(d);
      throw openFailure(dir, e);
    }
    if (!readOnly) {
      closeQuietly(d);
      return openWriter(dir, model, meta, IndexWriterConfig.OpenMode.APPEND, ramBufferMb);
    }
    try {
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

  /**
   * Re-embeds every document of the index in {@code dir} with {@code newModel} ({@link
   * VectorStores#reindex}): builds a new index beside it, then swaps the folders.
   */
  public static long reindex(
      Path dir, EmbeddingModel newModel, String newModelName, ProgressListener progress) {
    return VectorStores.reindex(StoreLocation.of(dir), newModel, newModelName, progress);
  }

  /**
   * Verifies the whole index: every file with Lucene's CheckIndex (checksums and structure), then
   * every document and vector through the contract.
   */
  public static StoreCheck check(Path dir) {
    readMetadata(dir);
    List<String> problems;
    try (Directory d = FSDirectory.open(dir)) {
      problems = LuceneIntegrity.checkIndex(dir, d);
    } catch (IOException e) {
      throw openFailure(dir, e);
    }
    if (!problems.isEmpty()) {
      return new StoreCheck(StoreLocation.of(dir), 0, 0, problems);
    }
    return StoreCheck.readEverything(new LuceneStoreProvider(), StoreLocation.of(dir));
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
      String file = LuceneIntegrity.fileIn(e);
      return file != null
          ? LuceneIntegrity.damaged(dir, file, e)
          : new JembedException(
              "index at "
                  + dir
                  + " is damaged or unreadable: "
                  + LuceneIntegrity.firstLine(e.getMessage())
                  + ". "
                  + LuceneIntegrity.whatToDo(dir),
              e);
    }
    return new JembedException(
        "cannot open index at " + dir + ": " + LuceneIntegrity.describe(e), e);
  }

  // ------------------------------------------------------------------------------- properties

  public Path path() {
    return path;
  }

  Directory directory() {
    return directory;
  }

  Analyzer analyzer() {
    return analyzer;
  }

  // ----------------------------------------------------------------------------------- writing

  @Override
  protected void write(List<StoredDocument> documents, Map<String, FieldType> fields) {
    try {
      for (StoredDocument doc : documents) {
        writer.updateDocuments(
            new Term(LuceneSchema.ID, doc.id()), LuceneSchema.chunks(doc, fields, similarity));
      }
    } catch (IOException | org.apache.lucene.store.AlreadyClosedException e) {
      throw new JembedException("cannot write to index at " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  protected void remove(Collection<String> ids) {
    List<Term> terms = new ArrayList<>(ids.size());
    ids.forEach(id -> terms.add(new Term(LuceneSchema.ID, id)));
    try {
      writer.deleteDocuments(terms.toArray(Term[]::new));
    } catch (IOException | org.apache.lucene.store.AlreadyClosedException e) {
      throw new JembedException("cannot delete from index at " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  protected long persist(IndexMetadata metadata) {
    try {
      String json = metadata.toJson();
      writer.setLiveCommitData(Map.of(USER_DATA_KEY, json).entrySet());
      writer.commit();
      // the commit's user data is the truth; the sidecar is for people and tools
      AtomicFiles.write(
          path.resolve(METADATA_FILE), out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
      searchers.maybeRefreshBlocking();
    } catch (IOException | org.apache.lucene.store.AlreadyClosedException e) {
      throw new JembedException("cannot commit index at " + path + ": " + e.getMessage(), e);
    }
    try (LuceneReader r = (LuceneReader) reader()) {
      return r.documentCount();
    }
  }

  /** Merges the index into at most {@code maxSegments} segments: faster search, slow to run. */
  public void forceMerge(int maxSegments) {
    if (writer == null) {
      throw new JembedException("index at " + path + " is open read-only");
    }
    try {
      writer.forceMerge(maxSegments);
    } catch (IOException e) {
      throw new JembedException("cannot merge index at " + path + ": " + e.getMessage(), e);
    }
  }

  // ----------------------------------------------------------------------------------- reading

  @Override
  protected StoreReader reader() {
    try {
      if (writer == null) {
        searchers.maybeRefresh(); // another process may have committed
      }
      return new LuceneReader(this, searchers.acquire());
    } catch (IOException | RuntimeException e) {
      throw LuceneIntegrity.readFailure(path, directory, "read", e);
    }
  }

  void release(IndexSearcher searcher) {
    try {
      searchers.release(searcher);
    } catch (IOException e) {
      throw new JembedException("cannot release a searcher of " + path + ": " + e.getMessage(), e);
    }
  }

  /** Names the file whose checksum fails, else the vector files the search read. */
  @Override
  protected RuntimeException damaged(String detail) {
    String[] bad = LuceneIntegrity.findDamagedFile(directory);
    String where;
    if (bad != null) {
      where = "file " + bad[0] + " " + bad[1];
    } else {
      List<String> vectorFiles = new ArrayList<>();
      try {
        for (String f : directory.listAll()) {
          if (f.endsWith(".vec")
              || f.endsWith(".veq")
              || f.endsWith(".veb")
              || f.endsWith(".vex")) {
            vectorFiles.add(f);
          }
        }
      } catch (IOException e) {
        // the detail says enough
      }
      where = "the vector files " + String.join(", ", vectorFiles) + " hold wrong values";
    }
    return new JembedException(damagedMessage(detail + "; " + where));
  }

  // --------------------------------------------------------------------------------- closing

  @Override
  protected void closeStore() {
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
