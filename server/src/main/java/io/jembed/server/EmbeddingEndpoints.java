package io.jembed.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.EmbeddingModel;
import io.jembed.InputType;
import io.jembed.ModelInfo;
import io.jembed.SimilarityFunction;
import io.jembed.index.SearchHit;
import io.jembed.index.VectorStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The endpoints that encode or search: OpenAI's {@code /v1/embeddings}, text-embeddings-inference's
 * {@code /embed} and {@code /similarity}, and {@code /search}. Each reads its JSON, validates it
 * with messages that name what is wrong, and waits for its vectors from the model's {@link Batcher}
 * until the request's deadline; a request whose client hung up is dropped from the queue.
 */
final class EmbeddingEndpoints {
  private static final JsonFactory JSON_FACTORY = ApiResponse.JSON.getFactory();

  private final ServerOptions options;
  private final Map<String, Batcher> models;
  private final Map<String, String> aliases;
  private final String defaultModel;
  private final Map<String, VectorStore> indexes;
  private final Map<String, EmbeddingModel> indexModels;
  private final CollectionSnapshot.Cache collections = new CollectionSnapshot.Cache();

  EmbeddingEndpoints(
      ServerOptions options,
      Map<String, Batcher> models,
      Map<String, String> aliases,
      String defaultModel,
      Map<String, VectorStore> indexes,
      Map<String, EmbeddingModel> indexModels) {
    this.options = options;
    this.models = models;
    this.aliases = aliases;
    this.defaultModel = defaultModel;
    this.indexes = indexes;
    this.indexModels = indexModels;
  }

  static JsonNode readJson(ApiRequest request) {
    byte[] bytes = request.body();
    if (bytes.length == 0) {
      throw new ApiException(
          400, "malformed_json", "the request body is empty: send a JSON object");
    }
    JsonNode node;
    try {
      node = ApiResponse.JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "malformed_json", "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ApiException(400, "malformed_json", "malformed JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.invalid("the request body must be a JSON object");
    }
    return node;
  }

  /** OpenAI's embeddings API. */
  ApiResponse openAiEmbeddings(ApiRequest request) {
    JsonNode body = readJson(request);
    Batcher batcher = model(body);
    List<String> texts = inputs(body, "input");
    String format = optionalString(body, "encoding_format");
    if (format == null) {
      format = "float";
    }
    if (!format.equals("float") && !format.equals("base64")) {
      throw ApiException.invalid(
          "encoding_format must be \"float\" or \"base64\", got \"" + format + "\"");
    }
    Integer dimensions = dimensions(body, batcher);
    // OpenAI's shortened vectors are unit length: renormalize after cutting when the model
    // normalizes
    Boolean normalize = dimensions != null && batcher.model().info().normalized() ? true : null;
    Batcher.Result result =
        encode(
            request,
            batcher,
            texts,
            options.truncate(),
            new Batcher.Key(normalize, dimensions, InputType.NONE, null));
    ByteArrayOutputStream buf = new ByteArrayOutputStream(256 + texts.size() * 4096);
    try (JsonGenerator g = JSON_FACTORY.createGenerator(buf)) {
      g.writeStartObject();
      g.writeStringField("object", "list");
      g.writeArrayFieldStart("data");
      for (int i = 0; i < texts.size(); i++) {
        g.writeStartObject();
        g.writeStringField("object", "embedding");
        g.writeNumberField("index", i);
        g.writeFieldName("embedding");
        float[] v = result.vectors()[i];
        if (format.equals("base64")) {
          ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          bb.asFloatBuffer().put(v);
          g.writeString(Base64.getEncoder().encodeToString(bb.array()));
        } else {
          writeFloats(g, v);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("model", batcher.name());
      g.writeObjectFieldStart("usage");
      g.writeNumberField("prompt_tokens", result.totalTokens());
      g.writeNumberField("total_tokens", result.totalTokens());
      g.writeEndObject();
      g.writeNumberField("truncated_inputs", result.truncatedCount());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ApiResponse(200, "application/json", buf.toByteArray(), truncatedHeader(result));
  }

  /** text-embeddings-inference's /embed: a bare array of vectors. */
  ApiResponse embed(ApiRequest request) {
    JsonNode body = readJson(request);
    Batcher batcher = model(body);
    List<String> texts = inputs(body, "inputs");
    boolean normalize = optionalBoolean(body, "normalize", true);
    boolean truncate = optionalBoolean(body, "truncate", options.truncate());
    String promptName = optionalString(body, "prompt_name");
    if (promptName != null && !batcher.model().info().prompts().containsKey(promptName)) {
      throw ApiException.invalid(
          "prompt_name \""
              + promptName
              + "\" is not a prompt of "
              + batcher.name()
              + "; it has "
              + batcher.model().info().prompts().keySet());
    }
    Integer dimensions = dimensions(body, batcher);
    // the model's own normalization needs no separate batch, unless shortening undid it
    Boolean norm =
        dimensions == null && normalize == batcher.model().info().normalized() ? null : normalize;
    Batcher.Result result =
        encode(
            request,
            batcher,
            texts,
            truncate,
            new Batcher.Key(norm, dimensions, InputType.NONE, promptName));
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64 + texts.size() * 4096);
    try (JsonGenerator g = JSON_FACTORY.createGenerator(buf)) {
      g.writeStartArray();
      for (float[] v : result.vectors()) {
        writeFloats(g, v);
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ApiResponse(200, "application/json", buf.toByteArray(), truncatedHeader(result));
  }

  /** text-embeddings-inference's /similarity: scores of one sentence against others. */
  ApiResponse similarity(ApiRequest request) {
    JsonNode body = readJson(request);
    Batcher batcher = model(body);
    JsonNode in = body.get("inputs");
    if (in == null || !in.isObject()) {
      throw ApiException.invalid(
          "inputs must be an object {\"source_sentence\": \"...\", \"sentences\": [\"...\"]}");
    }
    JsonNode source = in.get("source_sentence");
    if (source == null || !source.isTextual()) {
      throw ApiException.invalid("inputs.source_sentence must be a string");
    }
    List<String> sentences = stringList(in.get("sentences"), "inputs.sentences");
    List<String> all = new ArrayList<>(sentences.size() + 1);
    all.add(source.asText());
    all.addAll(sentences);
    if (all.size() > options.maxClientBatchSize()) {
      throw tooMany(all.size());
    }
    Batcher.Result result =
        encode(
            request,
            batcher,
            all,
            optionalBoolean(body, "truncate", options.truncate()),
            Batcher.Key.DEFAULT);
    float[][] v = result.vectors();
    List<Float> scores = new ArrayList<>(sentences.size());
    for (int i = 1; i < v.length; i++) {
      scores.add(batcher.model().similarityFunction().score(v[0], v[i]));
    }
    return ApiResponse.json(200, scores).withHeaders(truncatedHeader(result));
  }

  /** Semantic, keyword or hybrid search over a named index. */
  ApiResponse search(ApiRequest request) {
    JsonNode body = readJson(request);
    String name = indexName(optionalString(body, "index"));
    VectorStore store = indexes.get(name);
    JsonNode q = body.get("query");
    if (q == null || !q.isTextual() || q.asText().isBlank()) {
      throw ApiException.invalid("query must be a non-empty string");
    }
    int k = 10;
    JsonNode kNode = body.get("k");
    if (kNode != null && !kNode.isNull()) {
      if (!kNode.canConvertToInt()
          || !kNode.isIntegralNumber()
          || kNode.asInt() < 1
          || kNode.asInt() > 10_000) {
        throw ApiException.invalid("k must be an integer in 1..10000, got " + kNode);
      }
      k = kNode.asInt();
    }
    SearchQueries.Query query;
    try {
      query = SearchQueries.parse(q.asText(), k, optionalString(body, "mode"), body.get("filters"));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(e.getMessage());
    }
    boolean percentiles = optionalBoolean(body, "percentiles", false);
    float[] vector = null;
    Batcher batcher = batcherFor(store.model());
    if ((query.needsVector() || percentiles) && batcher != null) {
      // the query joins the dynamic batches, with the model's query prompt
      vector =
          encode(
                  request,
                  batcher,
                  List.of(q.asText()),
                  true,
                  new Batcher.Key(null, null, InputType.QUERY, null))
              .vectors()[0];
    } else if (percentiles) {
      vector = indexQueryModel(name).encodeQuery(q.asText());
    }
    List<SearchHit> hits;
    try {
      // a keyword search takes no vector, even one encoded for percentiles
      hits = store.search(query.toRequest(query.needsVector() ? vector : null));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(e.getMessage());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("index", name);
    out.put("mode", query.mode());
    List<Map<String, Object>> list = new ArrayList<>(hits.size());
    for (SearchHit h : hits) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", h.id());
      e.put("score", h.score());
      e.put("text", h.text());
      e.put("chunk", h.chunk());
      e.put("start", h.start());
      e.put("end", h.end());
      e.put("metadata", h.metadata());
      list.add(e);
    }
    if (percentiles) {
      addPercentiles(name, store, vector, hits, list, out);
    }
    out.put("hits", list);
    return ApiResponse.json(200, out);
  }

  /**
   * Each hit's percentile among the scores of this query against every chunk of the collection: one
   * exact pass over the collection's vectors, held in memory after the first such search. Each hit
   * also gets its whole document's text, in which the chunk sits at {@code start..end}.
   */
  private void addPercentiles(
      String name,
      VectorStore store,
      float[] vector,
      List<SearchHit> hits,
      List<Map<String, Object>> list,
      Map<String, Object> out) {
    CollectionSnapshot all = collection(name);
    SimilarityFunction similarity = store.model().similarity();
    CollectionSnapshot.Scores scores = all.scores(similarity, vector);
    for (int i = 0; i < hits.size(); i++) {
      SearchHit h = hits.get(i);
      int at = all.indexOf(h.id(), h.chunk());
      // from the hit's exact score: an index ranking with quantized vectors reports an estimate
      Double percentile =
          at < 0 ? null : scores.percentile(similarity.score(vector, all.vectors()[at]));
      list.get(i).put("percentile", percentile);
      list.get(i).put("document", all.documentText(h.id()));
    }
    out.put("collection_size", all.size());
  }

  /** Every chunk of a served index, loaded at the first call and after the index changes. */
  CollectionSnapshot collection(String name) {
    return collections.get(name, indexes.get(name));
  }

  /** The model that embeds an index's queries: served, or given with the index; 422 if neither. */
  EmbeddingModel indexQueryModel(String name) {
    VectorStore store = indexes.get(name);
    Batcher batcher = batcherFor(store.model());
    if (batcher != null) {
      return batcher.model();
    }
    EmbeddingModel model = indexModels.get(name);
    if (model == null) {
      throw ApiException.invalid(
          "the model of index '" + name + "' (" + store.model().id() + ") is not loaded");
    }
    return model;
  }

  /** The served index a request names, or the only one when it names none. */
  String indexName(String requested) {
    if (requested == null) {
      if (indexes.size() != 1) {
        throw ApiException.invalid("name the index (\"index\"); served: " + indexes.keySet());
      }
      return indexes.keySet().iterator().next();
    }
    if (!indexes.containsKey(requested)) {
      throw ApiException.notFound(
          "no index named '" + requested + "'; served: " + indexes.keySet());
    }
    return requested;
  }

  /** The batcher of a served model by its served name, or null. */
  Batcher batcher(String name) {
    return models.get(name);
  }

  Batcher batcherFor(ModelInfo indexModel) {
    for (Batcher b : models.values()) {
      if (b.model().info().identity().equals(indexModel.identity())) {
        return b;
      }
    }
    return null; // the store embeds the query with its own model
  }

  // ---------------------------------------------------------------- request parsing

  Batcher model(JsonNode body) {
    JsonNode m = body.get("model");
    if (m == null || m.isNull() || (m.isTextual() && m.asText().isEmpty())) {
      return models.get(defaultModel);
    }
    if (!m.isTextual()) {
      throw ApiException.invalid(
          "model must be a string, got " + m.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    String name = aliases.get(m.asText());
    if (name == null) {
      throw ApiException.notFound(
          "model '" + m.asText() + "' is not served; served: " + models.keySet());
    }
    return models.get(name);
  }

  List<String> inputs(JsonNode body, String field) {
    JsonNode in = body.get(field);
    if (in == null || in.isNull()) {
      throw ApiException.invalid(field + " is missing: send a string or an array of strings");
    }
    if (in.isTextual()) {
      return List.of(in.asText());
    }
    List<String> texts = stringList(in, field);
    if (texts.size() > options.maxClientBatchSize()) {
      throw tooMany(texts.size());
    }
    return texts;
  }

  private ApiException tooMany(int n) {
    return ApiException.invalid(
        "too many inputs: " + n + ", at most " + options.maxClientBatchSize() + " per request");
  }

  private static List<String> stringList(JsonNode node, String field) {
    if (node == null || !node.isArray()) {
      throw ApiException.invalid(
          field + " must be a string or an array of strings, got " + kind(node));
    }
    if (node.isEmpty()) {
      throw ApiException.invalid(field + " must not be an empty array");
    }
    List<String> texts = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode t = node.get(i);
      if (!t.isTextual()) {
        String hint = t.isNumber() || t.isArray() ? " (token ids are not accepted: send text)" : "";
        throw ApiException.invalid(field + "[" + i + "] must be a string, got " + kind(t) + hint);
      }
      texts.add(t.asText());
    }
    return texts;
  }

  private static String kind(JsonNode node) {
    return node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String optionalString(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiException.invalid(field + " must be a string, got " + kind(n));
    }
    return n.asText();
  }

  private static boolean optionalBoolean(JsonNode body, String field, boolean fallback) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw ApiException.invalid(field + " must be true or false, got " + kind(n));
    }
    return n.asBoolean();
  }

  private static Integer dimensions(JsonNode body, Batcher batcher) {
    JsonNode n = body.get("dimensions");
    if (n == null || n.isNull()) {
      return null;
    }
    int max = batcher.model().dimension();
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > max) {
      throw ApiException.invalid(
          "dimensions must be an integer in 1.." + max + " for " + batcher.name() + ", got " + n);
    }
    return n.asInt() == max ? null : n.asInt();
  }

  /**
   * Counts tokens (on the request's own thread, refusing at once what the queue cannot take),
   * queues the inputs and waits for their vectors until the request's deadline. A request whose
   * client hangs up meanwhile is dropped from the queue.
   */
  Batcher.Result encode(
      ApiRequest request, Batcher batcher, List<String> texts, boolean truncate, Batcher.Key key) {
    batcher.precheck(texts.size());
    Batcher.Inputs inputs = TokenCounting.count(batcher.model(), batcher.name(), texts, truncate);
    BatchJob job = batcher.submit(inputs, key, request.deadlineNanos());
    request.onClientGone(() -> job.drop(BatchJob.DropReason.CLIENT_GONE));
    try {
      long left = request.deadlineNanos() - System.nanoTime();
      return job.future().get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      job.drop(BatchJob.DropReason.DEADLINE);
      throw ApiException.timedOut(
          "not encoded within the request timeout of "
              + options.requestTimeout().toSeconds()
              + " s; retry later");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      job.drop(BatchJob.DropReason.SHUTDOWN);
      throw ApiException.shuttingDown();
    } catch (ExecutionException e) {
      throw failure(e.getCause());
    }
  }

  private static ApiException failure(Throwable cause) {
    if (cause instanceof BatchJob.Dropped dropped) {
      return switch (dropped.reason) {
        case CLIENT_GONE ->
            new ApiException(499, "client_disconnect", "the client closed the connection");
        case DEADLINE -> ApiException.timedOut("not encoded before the request's deadline");
        case SHUTDOWN -> ApiException.shuttingDown();
      };
    }
    if (cause instanceof IllegalArgumentException) {
      return ApiException.invalid(oneLine(cause));
    }
    return new ApiException(500, "model_error", "encoding failed: " + oneLine(cause));
  }

  private static void writeFloats(JsonGenerator g, float[] v) throws IOException {
    g.writeStartArray(v, v.length);
    for (float x : v) {
      g.writeNumber(x);
    }
    g.writeEndArray();
  }

  static Map<String, String> truncatedHeader(Batcher.Result r) {
    return Map.of("X-Truncated-Inputs", Integer.toString(r.truncatedCount()));
  }

  static String oneLine(Throwable e) {
    String msg = e.getMessage();
    if (msg == null || msg.isBlank()) {
      msg = e.getClass().getSimpleName();
    }
    return msg.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
