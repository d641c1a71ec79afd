package io.jembed.index.lucene;

import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.index.FieldType;
import io.jembed.index.MetadataJson;
import io.jembed.index.MetadataValues;
import io.jembed.index.SearchHit;
import io.jembed.index.StoredDocument;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.BytesRef;

/**
 * How a document lies in Lucene: one Lucene document per chunk, carrying the document's id, the
 * chunk's offsets, text and vector, and the metadata (as stored JSON, and as keyword terms, double
 * points or epoch-millisecond long points for filters). The first chunk also keeps the whole text,
 * for reindex and copy.
 */
final class LuceneSchema {
  static final String ID = "id";
  static final String CHUNK = "chunk";
  static final String START = "start";
  static final String END = "end";
  static final String TEXT = "text";
  static final String META = "meta";
  static final String SOURCE = "source";
  static final String HEAD = "head";
  static final String VECTOR = "vector";
  static final Set<String> HIT_FIELDS = Set.of(ID, CHUNK, START, END, TEXT, META);
  static final Set<String> EXPORT_FIELDS = Set.of(ID, CHUNK, START, END, TEXT, META, SOURCE);

  private LuceneSchema() {}

  static String keywordField(String name) {
    return "k." + name;
  }

  static String numberField(String name) {
    return "n." + name;
  }

  static String dateField(String name) {
    return "d." + name;
  }

  /** Lucene's similarity for the model: the dot product for unit vectors, as fast as it gets. */
  static VectorSimilarityFunction similarity(ModelInfo info) {
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

  /** Lucene's score back to the model's similarity (cosine, dot, negative distance). */
  static double similarityScore(VectorSimilarityFunction similarity, float score) {
    return switch (similarity) {
      case DOT_PRODUCT, COSINE -> 2.0 * score - 1.0;
      case EUCLIDEAN -> -Math.sqrt(Math.max(0, 1.0 / score - 1.0));
      case MAXIMUM_INNER_PRODUCT -> score < 1 ? 1 - 1.0 / score : score - 1.0;
    };
  }

  /** The Lucene documents of one document: a block, replaced as a whole. */
  static List<org.apache.lucene.document.Document> chunks(
      StoredDocument doc, Map<String, FieldType> fields, VectorSimilarityFunction similarity) {
    String metaJson = MetadataJson.write(doc.metadata());
    List<org.apache.lucene.document.Document> out = new ArrayList<>(doc.chunks().size());
    for (StoredDocument.Chunk c : doc.chunks()) {
      org.apache.lucene.document.Document d = new org.apache.lucene.document.Document();
      d.add(new StringField(ID, doc.id(), Field.Store.YES));
      // doc values: grouping candidates by document without loading stored fields
      d.add(new SortedDocValuesField(ID, new BytesRef(doc.id())));
      d.add(new NumericDocValuesField(CHUNK, c.index()));
      d.add(new StoredField(CHUNK, c.index()));
      d.add(new StoredField(START, c.start()));
      d.add(new StoredField(END, c.end()));
      d.add(new TextField(TEXT, c.text(), Field.Store.YES));
      d.add(new KnnFloatVectorField(VECTOR, c.vector(), similarity));
      if (!metaJson.isEmpty()) {
        d.add(new StoredField(META, metaJson));
      }
      if (c.index() == 0) {
        d.add(new StringField(HEAD, "1", Field.Store.NO));
        d.add(new StoredField(SOURCE, doc.text()));
      }
      doc.metadata().forEach((name, value) -> addMetadata(d, name, value, fields.get(name)));
      out.add(d);
    }
    return out;
  }

  private static void addMetadata(
      org.apache.lucene.document.Document d, String name, Object value, FieldType type) {
    switch (type) {
      case KEYWORD -> {
        Collection<?> values = value instanceof Collection<?> c ? c : List.of(value);
        for (Object o : values) {
          d.add(new StringField(keywordField(name), (String) o, Field.Store.NO));
        }
      }
      // + 0.0: -0.0 and 0.0 are one number to a filter, not two points
      case NUMBER ->
          d.add(new DoublePoint(numberField(name), ((Number) value).doubleValue() + 0.0));
      case DATE -> d.add(new LongPoint(dateField(name), MetadataValues.epochMillis(value)));
    }
  }

  /** A hit from a chunk's stored fields. */
  static SearchHit hit(StoredFields stored, int doc, double score) throws IOException {
    org.apache.lucene.document.Document d = stored.document(doc, HIT_FIELDS);
    return new SearchHit(
        d.get(ID),
        score,
        d.get(TEXT),
        intField(d, CHUNK),
        intField(d, START),
        intField(d, END),
        MetadataJson.read(d.get(META)));
  }

  static int intField(org.apache.lucene.document.Document d, String name) throws IOException {
    var f = d.getField(name);
    if (f == null || f.numericValue() == null) {
      throw new org.apache.lucene.index.CorruptIndexException(
          "a chunk has no '" + name + "' field", "stored fields");
    }
    return f.numericValue().intValue();
  }
}
