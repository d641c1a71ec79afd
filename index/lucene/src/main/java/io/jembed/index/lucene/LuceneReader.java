package io.jembed.index.lucene;

import static io.jembed.index.lucene.LuceneSchema.CHUNK;
import static io.jembed.index.lucene.LuceneSchema.HEAD;
import static io.jembed.index.lucene.LuceneSchema.ID;
import static io.jembed.index.lucene.LuceneSchema.TEXT;
import static io.jembed.index.lucene.LuceneSchema.VECTOR;

import io.jembed.index.Filter;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexStats;
import io.jembed.index.MetadataJson;
import io.jembed.index.SearchHit;
import io.jembed.index.StoredDocument;
import io.jembed.index.spi.ChunkHit;
import io.jembed.index.spi.StoreReader;
import io.jembed.index.spi.VectorQuery;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.Bits;

/**
 * One point-in-time searcher of a {@link LuceneVectorStore}: the vector query (HNSW with the filter
 * inside the graph search, optional rescoring with the float vectors), the keyword query (BM25 over
 * the analyzed words), loading hits, stats and export. Any read that fails is reported by {@link
 * LuceneIntegrity#readFailure} (damage with the file named).
 */
final class LuceneReader implements StoreReader {
  /** A Lucene doc and its score. */
  private record Candidate(int doc, double score) {}

  private final LuceneVectorStore store;
  private final IndexSearcher searcher;
  private final Map<String, io.jembed.index.FieldType> fields;
  private final VectorSimilarityFunction similarity;

  LuceneReader(LuceneVectorStore store, IndexSearcher searcher) {
    this.store = store;
    this.searcher = searcher;
    this.fields = store.metadata().fields();
    this.similarity = LuceneSchema.similarity(store.metadata().model());
  }

  /** A read, with every failure explained. */
  private interface Read<T> {
    T run() throws IOException;
  }

  /** What the caller's action threw during an export: not the index's fault. */
  private static final class ActionFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ActionFailed(RuntimeException cause) {
      super(cause);
    }
  }

  private <T> T read(String action, Read<T> read) {
    try {
      return read.run();
    } catch (ActionFailed e) {
      throw (RuntimeException) e.getCause();
    } catch (IOException | RuntimeException e) {
      throw LuceneIntegrity.readFailure(store.path(), store.directory(), action, e);
    }
  }

  // -------------------------------------------------------------------------------- searching

  @Override
  public List<ChunkHit> vectorSearch(VectorQuery q) {
    return read(
        "search",
        () -> {
          Query filter = LuceneFilters.toQuery(q.filter(), fields);
          TopDocs top =
              searcher.search(
                  new KnnFloatVectorQuery(VECTOR, q.vector(), q.count(), filter), q.count());
          List<Candidate> candidates = new ArrayList<>(top.scoreDocs.length);
          for (ScoreDoc sd : top.scoreDocs) {
            candidates.add(
                new Candidate(sd.doc, LuceneSchema.similarityScore(similarity, sd.score)));
          }
          if (q.rescore()) {
            candidates = rescore(q.vector(), candidates);
          }
          return chunkHits(candidates);
        });
  }

  /** Exact scores from the stored float vectors, best first. */
  private List<Candidate> rescore(float[] query, List<Candidate> candidates) throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    List<Candidate> byDoc = new ArrayList<>(candidates);
    byDoc.sort(Comparator.comparingInt(Candidate::doc)); // vector iterators only move forward
    List<Candidate> out = new ArrayList<>(candidates.size());
    int leafIndex = -1;
    FloatVectorValues values = null;
    KnnVectorValues.DocIndexIterator it = null;
    for (Candidate c : byDoc) {
      int li = ReaderUtil.subIndex(c.doc(), leaves);
      LeafReaderContext leaf = leaves.get(li);
      if (li != leafIndex) {
        leafIndex = li;
        values = leaf.reader().getFloatVectorValues(VECTOR);
        it = values == null ? null : values.iterator();
      }
      int target = c.doc() - leaf.docBase;
      if (it != null
          && (it.docID() == target || (it.docID() < target && it.advance(target) == target))) {
        out.add(new Candidate(c.doc(), exactScore(query, values.vectorValue(it.index()))));
      } else {
        out.add(c);
      }
    }
    out.sort(Comparator.comparingDouble(Candidate::score).reversed());
    return out;
  }

  private double exactScore(float[] a, float[] b) {
    if (similarity == VectorSimilarityFunction.DOT_PRODUCT) {
      double dot = 0;
      for (int i = 0; i < a.length; i++) {
        dot += a[i] * b[i];
      }
      return dot;
    }
    return store.metadata().model().similarity().score(a, b);
  }

  @Override
  public List<ChunkHit> keywordSearch(String text, int count, Filter filter) {
    return read(
        "search",
        () -> {
          Query words = words(text);
          if (words == null) {
            return List.of();
          }
          Query f = LuceneFilters.toQuery(filter, fields);
          Query q =
              f == null
                  ? words
                  : new BooleanQuery.Builder().add(words, Occur.MUST).add(f, Occur.FILTER).build();
          TopDocs top = searcher.search(q, count);
          List<Candidate> candidates = new ArrayList<>(top.scoreDocs.length);
          for (ScoreDoc sd : top.scoreDocs) {
            candidates.add(new Candidate(sd.doc, sd.score));
          }
          return chunkHits(candidates);
        });
  }

  /** BM25 over the analyzed words of the query (no query syntax to trip over). */
  private Query words(String text) throws IOException {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    int clauses = 0;
    Analyzer analyzer = store.analyzer();
    try (TokenStream ts = analyzer.tokenStream(TEXT, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      Set<String> seen = new HashSet<>();
      while (ts.incrementToken() && clauses < IndexSearcher.getMaxClauseCount()) {
        if (seen.add(term.toString())) {
          b.add(new TermQuery(new Term(TEXT, term.toString())), Occur.SHOULD);
          clauses++;
        }
      }
      ts.end();
    }
    return clauses == 0 ? null : b.build();
  }

  /** Each candidate's document id and chunk, read from doc values in doc order. */
  private List<ChunkHit> chunkHits(List<Candidate> candidates) throws IOException {
    Integer[] order = new Integer[candidates.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt(i -> candidates.get(i).doc()));
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    ChunkHit[] hits = new ChunkHit[candidates.size()];
    int leafIndex = -1;
    SortedDocValues ids = null;
    NumericDocValues chunks = null;
    LeafReaderContext leaf = null;
    for (int i : order) {
      Candidate c = candidates.get(i);
      int li = ReaderUtil.subIndex(c.doc(), leaves);
      if (li != leafIndex) {
        leafIndex = li;
        leaf = leaves.get(li);
        ids = leaf.reader().getSortedDocValues(ID);
        chunks = leaf.reader().getNumericDocValues(CHUNK);
      }
      int local = c.doc() - leaf.docBase;
      if (ids == null
          || !ids.advanceExact(local)
          || chunks == null
          || !chunks.advanceExact(local)) {
        throw new org.apache.lucene.index.CorruptIndexException(
            "a chunk has no id or chunk number in its doc values", "doc values");
      }
      String id = ids.lookupOrd(ids.ordValue()).utf8ToString();
      hits[i] = new ChunkHit(id, (int) chunks.longValue(), c.score(), c.doc());
    }
    return Arrays.asList(hits);
  }

  @Override
  public List<SearchHit> load(List<ChunkHit> hits) {
    return read(
        "search",
        () -> {
          StoredFields stored = searcher.storedFields();
          List<SearchHit> out = new ArrayList<>(hits.size());
          for (ChunkHit h : hits) {
            out.add(LuceneSchema.hit(stored, (int) h.ref(), h.score()));
          }
          return out;
        });
  }

  // ----------------------------------------------------------------------------------- counts

  @Override
  public long chunkCount() {
    return searcher.getIndexReader().numDocs();
  }

  @Override
  public boolean contains(String id) {
    return read("read", () -> searcher.count(new TermQuery(new Term(ID, id))) > 0);
  }

  long documentCount() {
    return read("read", () -> (long) searcher.count(new TermQuery(new Term(HEAD, "1"))));
  }

  @Override
  public IndexStats stats(IndexMetadata metadata) {
    return read(
        "read",
        () -> {
          DirectoryReader reader = (DirectoryReader) searcher.getIndexReader();
          Map<String, Long> parts = new TreeMap<>();
          long total = 0;
          for (String file : store.directory().listAll()) {
            if (file.startsWith(".") || file.equals("write.lock")) {
              continue;
            }
            long len;
            try {
              len = store.directory().fileLength(file);
            } catch (NoSuchFileException e) {
              continue; // merged away meanwhile
            }
            total += len;
            parts.merge(part(file), len, Long::sum);
          }
          return new IndexStats(
              documentCount(),
              reader.numDocs(),
              reader.numDeletedDocs(),
              reader.leaves().size(),
              total,
              parts,
              metadata.model(),
              metadata.quantization());
        });
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

  // ----------------------------------------------------------------------------------- export

  /**
   * Every live document: a document's chunks are one block of consecutive Lucene docs (they are
   * added and replaced together), chunk 0 first.
   */
  @Override
  public void forEachDocument(Consumer<StoredDocument> action) {
    read(
        "read",
        () -> {
          for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            exportLeaf(leaf, action);
          }
          return null;
        });
  }

  private void exportLeaf(LeafReaderContext leaf, Consumer<StoredDocument> action)
      throws IOException {
    Bits live = leaf.reader().getLiveDocs();
    StoredFields stored = leaf.reader().storedFields();
    FloatVectorValues vectors = leaf.reader().getFloatVectorValues(VECTOR);
    KnnVectorValues.DocIndexIterator it = vectors == null ? null : vectors.iterator();
    org.apache.lucene.document.Document head = null;
    List<StoredDocument.Chunk> chunks = new ArrayList<>();
    for (int i = 0; i < leaf.reader().maxDoc(); i++) {
      if (live != null && !live.get(i)) {
        continue;
      }
      org.apache.lucene.document.Document d = stored.document(i, LuceneSchema.EXPORT_FIELDS);
      int chunk = LuceneSchema.intField(d, CHUNK);
      if (chunk == 0) {
        emit(head, chunks, action);
        head = d;
        chunks = new ArrayList<>();
      } else if (head == null || !head.get(ID).equals(d.get(ID))) {
        throw new org.apache.lucene.index.CorruptIndexException(
            "chunk " + chunk + " of '" + d.get(ID) + "' without its first chunk", "stored fields");
      }
      if (it == null || it.advance(i) != i) {
        throw new org.apache.lucene.index.CorruptIndexException(
            "chunk " + chunk + " of '" + d.get(ID) + "' has no vector", "vectors");
      }
      chunks.add(
          new StoredDocument.Chunk(
              chunk,
              d.get(TEXT),
              LuceneSchema.intField(d, LuceneSchema.START),
              LuceneSchema.intField(d, LuceneSchema.END),
              vectors.vectorValue(it.index()).clone()));
    }
    emit(head, chunks, action);
  }

  private void emit(
      org.apache.lucene.document.Document head,
      List<StoredDocument.Chunk> chunks,
      Consumer<StoredDocument> action) {
    if (head != null) {
      String source = head.get(LuceneSchema.SOURCE);
      StoredDocument doc =
          new StoredDocument(
              head.get(ID),
              source == null ? "" : source,
              MetadataJson.read(head.get(LuceneSchema.META), fields),
              chunks);
      try {
        action.accept(doc);
      } catch (RuntimeException e) {
        throw new ActionFailed(e);
      }
    }
  }

  @Override
  public void close() {
    store.release(searcher);
  }
}
