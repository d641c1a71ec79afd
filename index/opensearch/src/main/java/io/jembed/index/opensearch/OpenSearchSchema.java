package io.jembed.index.opensearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.index.FieldType;
import io.jembed.index.IndexMetadata;
import io.jembed.index.MetadataJson;
import io.jembed.index.Quantization;
import io.jembed.index.StoredDocument;
import io.jembed.index.spi.AbstractVectorStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.mapping.DynamicMapping;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;

/**
 * How a document lies in OpenSearch: one OpenSearch document per jembed document, its chunks a
 * {@code nested} array. OpenSearch indexes a document and its nested chunks as one block of Lucene
 * documents, in one operation: the chunks of a document are visible together or not at all, and
 * replacing a document replaces all its chunks.
 *
 * <pre>
 * _id           the document's id (a SHA-256 form for ids longer than OpenSearch's 512 bytes)
 * id            keyword: the id as given
 * text          the whole text (stored, not indexed: for reindex and copy)
 * chunk_count   integer
 * m.NAME        metadata: keyword, double or date (epoch milliseconds or ISO), typed once
 * chunks[]      nested: i (the chunk's number), start, end, text (BM25, standard analyzer),
 *               vector (knn_vector, k-NN plugin's Lucene engine, HNSW)
 * _meta.jembed  the index's {@link IndexMetadata}: model identity, settings, metadata fields
 * </pre>
 */
final class OpenSearchSchema {
  /** Reads floats as decimals, so a vector read back is the float that was written, bit for bit. */
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  static final String ID = "id";
  static final String TEXT = "text";
  static final String CHUNK_COUNT = "chunk_count";
  static final String METADATA = "m";
  static final String CHUNKS = "chunks";
  static final String CHUNK = "i";
  static final String START = "start";
  static final String END = "end";
  static final String VECTOR = "vector";
  static final String META_KEY = "jembed";
  static final String INNER_PRODUCT = "innerproduct";

  /** OpenSearch refuses longer {@code _id}s. */
  private static final int MAX_ID_BYTES = 512;

  private OpenSearchSchema() {}

  static String chunkField(String name) {
    return CHUNKS + "." + name;
  }

  /**
   * The field of a metadata name: under {@code m.}, with '.' written as '~' (OpenSearch reads a dot
   * as an object path, so {@code a} and {@code a.b} could not both be fields; '~' is in no jembed
   * field name).
   */
  static String metadataField(String name) {
    return METADATA + "." + encode(name);
  }

  private static String encode(String name) {
    return name.replace('.', '~');
  }

  private static String decode(String key) {
    return key.replace('~', '.');
  }

  /** The {@code _id} of a document id. */
  static String documentId(String id) {
    if (!id.startsWith("#") && id.getBytes(StandardCharsets.UTF_8).length <= MAX_ID_BYTES) {
      return id;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return "#sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------- mapping

  /**
   * The k-NN space type for the model's similarity, or a clear refusal. Unit vectors compared by
   * cosine use the inner product, equal to their cosine without the two norms cosine computes on
   * every comparison (as the folder and PostgreSQL stores do): the HNSW graph builds faster.
   */
  static String spaceType(ModelInfo model) {
    return switch (model.similarity()) {
      case COSINE -> AbstractVectorStore.keepsUnitVectors(model) ? INNER_PRODUCT : "cosinesimil";
      case DOT -> INNER_PRODUCT;
      case EUCLIDEAN -> "l2";
      case MANHATTAN ->
          throw new JembedException(
              "model "
                  + model.id()
                  + " compares vectors by Manhattan distance, which the k-NN plugin's Lucene engine"
                  + " cannot index: use a model with cosine, dot or euclidean similarity");
    };
  }

  /**
   * The encoder of the quantization, or a refusal: the Lucene engine quantizes to int8 (its scalar
   * quantizer, 7 bits) only.
   */
  static Map<String, Object> encoder(Quantization quantization) {
    return switch (quantization) {
      case NONE -> null;
      case INT8 -> Map.of("name", "sq", "parameters", Map.of("bits", 7));
      case INT4, BINARY ->
          throw new JembedException(
              "OpenSearch's k-NN Lucene engine quantizes vectors to int8 only (the sq encoder, 7"
                  + " bits): "
                  + quantization.externalName()
                  + " would need the faiss engine, which jembed does not use (its native libraries"
                  + " are not in the k-NN plugin on Maven Central, and a node without them"
                  + " crashes). Use --quantization int8 or none");
    };
  }

  /** The whole mapping of a new index. */
  static TypeMapping mapping(IndexMetadata meta) {
    Map<String, Object> encoder = encoder(meta.quantization());
    Map<String, JsonData> hnsw = new LinkedHashMap<>();
    hnsw.put("m", JsonData.of(meta.hnswM()));
    hnsw.put("ef_construction", JsonData.of(meta.beamWidth()));
    if (encoder != null) {
      hnsw.put("encoder", JsonData.of(encoder));
    }
    Property vector =
        Property.of(
            p ->
                p.knnVector(
                    k ->
                        k.dimension(meta.model().dimension())
                            .spaceType(spaceType(meta.model()))
                            .method(m -> m.name("hnsw").engine("lucene").parameters(hnsw))));
    Property notIndexedInt = Property.of(p -> p.integer(i -> i.index(false).docValues(false)));
    Property chunks =
        Property.of(
            p ->
                p.nested(
                    n ->
                        n.properties(CHUNK, Property.of(q -> q.integer(i -> i.index(false))))
                            .properties(START, notIndexedInt)
                            .properties(END, notIndexedInt)
                            .properties(TEXT, Property.of(q -> q.text(t -> t.analyzer("standard"))))
                            .properties(VECTOR, vector)));
    return TypeMapping.of(
        t ->
            t.dynamic(DynamicMapping.Strict)
                .meta(META_KEY, metaJson(meta))
                .properties(ID, Property.of(p -> p.keyword(k -> k)))
                .properties(TEXT, Property.of(p -> p.text(x -> x.index(false))))
                .properties(CHUNK_COUNT, Property.of(p -> p.integer(i -> i.index(false))))
                .properties(METADATA, metadataObject(meta.fields()))
                .properties(CHUNKS, chunks));
  }

  /** The {@code m} object with a property for each field. */
  static Property metadataObject(Map<String, FieldType> fields) {
    return Property.of(
        p ->
            p.object(
                o -> {
                  o.dynamic(DynamicMapping.Strict);
                  fields.forEach((name, type) -> o.properties(encode(name), property(type)));
                  return o;
                }));
  }

  private static Property property(FieldType type) {
    return switch (type) {
      case KEYWORD -> Property.of(p -> p.keyword(k -> k));
      case NUMBER -> Property.of(p -> p.double_(d -> d));
      case DATE ->
          Property.of(p -> p.date(d -> d.format("strict_date_optional_time||epoch_millis")));
    };
  }

  static JsonData metaJson(IndexMetadata meta) {
    try {
      return JsonData.of(JSON.readTree(meta.toJson()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // -------------------------------------------------------------------------------- documents

  /** A document's source: what OpenSearch indexes and keeps. */
  static ObjectNode source(StoredDocument doc) {
    ObjectNode o = JSON.createObjectNode();
    o.put(ID, doc.id());
    o.put(TEXT, doc.text());
    o.put(CHUNK_COUNT, doc.chunks().size());
    if (!doc.metadata().isEmpty()) {
      // the same JSON as every store keeps (integers stay integers, dates ISO), under encoded names
      ObjectNode m = o.putObject(METADATA);
      readTree(MetadataJson.write(doc.metadata()))
          .properties()
          .forEach(e -> m.set(encode(e.getKey()), e.getValue()));
    }
    ArrayNode chunks = o.putArray(CHUNKS);
    for (StoredDocument.Chunk c : doc.chunks()) {
      ObjectNode chunk = chunks.addObject();
      chunk.put(CHUNK, c.index());
      chunk.put(START, c.start());
      chunk.put(END, c.end());
      chunk.put(TEXT, c.text());
      ArrayNode v = chunk.putArray(VECTOR);
      for (float x : c.vector()) {
        v.add(x); // written as the shortest decimal that reads back as the same float
      }
    }
    return o;
  }

  /** About how many bytes a document's source takes as JSON (for sizing bulk requests). */
  static long estimatedBytes(StoredDocument doc) {
    long bytes = 64 + 2L * doc.text().length() + 32L * doc.metadata().size();
    for (StoredDocument.Chunk c : doc.chunks()) {
      bytes += 64 + 2L * c.text().length() + 13L * c.vector().length;
    }
    return bytes;
  }

  /** The document a source holds (everything: for export). */
  static StoredDocument document(JsonNode source, Map<String, FieldType> fields) {
    List<StoredDocument.Chunk> chunks = new ArrayList<>();
    for (JsonNode c : source.path(CHUNKS)) {
      JsonNode v = c.path(VECTOR);
      float[] vector = new float[v.size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = floatValue(v.get(i));
      }
      chunks.add(
          new StoredDocument.Chunk(
              c.path(CHUNK).asInt(),
              c.path(TEXT).asText(""),
              c.path(START).asInt(),
              c.path(END).asInt(),
              vector));
    }
    return new StoredDocument(
        source.path(ID).asText(), source.path(TEXT).asText(""), metadata(source, fields), chunks);
  }

  /** The document's metadata, in its kept form (dates as dates when {@code fields} says so). */
  static Map<String, Object> metadata(JsonNode source, Map<String, FieldType> fields) {
    JsonNode m = source.get(METADATA);
    if (m == null || !m.isObject() || m.isEmpty()) {
      return Map.of();
    }
    ObjectNode decoded = JSON.createObjectNode();
    for (Map.Entry<String, JsonNode> e : m.properties()) {
      decoded.set(decode(e.getKey()), e.getValue());
    }
    return MetadataJson.read(decoded.toString(), fields);
  }

  /** A float as written: parsed from its decimal text (not through a double, which can round). */
  private static float floatValue(JsonNode n) {
    if (n.isBigDecimal()) {
      return Float.parseFloat(n.decimalValue().toString());
    }
    return n.isNumber() ? n.floatValue() : Float.NaN;
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
