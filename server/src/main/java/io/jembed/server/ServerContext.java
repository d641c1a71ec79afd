package io.jembed.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.InputType;
import io.jembed.index.VectorStore;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What a {@link ServerExtension} sees of the server: its options, models and indexes, the encoding
 * path the built-in endpoints use (dynamic batches, admission by tokens, deadlines), and the
 * routing table to add endpoints to.
 */
public final class ServerContext {
  /** How much an endpoint costs the server, which decides how it is admitted. */
  public enum Cost {
    /** Cheap (static files, cached data): answered at once. */
    FREE,
    /** Searches or computes: counts against the requests in flight (429 past the limit). */
    WORK,
    /** Encodes: as WORK, and refused from its head while no model could take an input. */
    ENCODE
  }

  /** A served model and the name requests use for it. */
  public record ServedModel(String name, EmbeddingModel model) {}

  private final EmbeddingServer server;
  private final EmbeddingEndpoints endpoints;
  private final Router router;
  private final Map<String, VectorStore> indexes;
  private final UnaryOperator<Router.Endpoint> admitted;
  private final UnaryOperator<Router.Endpoint> encoding;
  private final Router.Screen encodingScreen;

  ServerContext(
      EmbeddingServer server,
      EmbeddingEndpoints endpoints,
      Router router,
      Map<String, VectorStore> indexes,
      UnaryOperator<Router.Endpoint> admitted,
      UnaryOperator<Router.Endpoint> encoding,
      Router.Screen encodingScreen) {
    this.server = server;
    this.endpoints = endpoints;
    this.router = router;
    this.indexes = indexes;
    this.admitted = admitted;
    this.encoding = encoding;
    this.encodingScreen = encodingScreen;
  }

  public ServerOptions options() {
    return server.options();
  }

  /** The server's version ("dev" when run from classes). */
  public String version() {
    return server.version();
  }

  /** Whether JSON endpoints need {@code Authorization: Bearer KEY}. */
  public boolean authRequired() {
    return server.options().requiresApiKey();
  }

  /** The served indexes by name. */
  public Map<String, VectorStore> indexes() {
    return indexes;
  }

  /**
   * The index a request names, as {@code /search} resolves it: by name, or the only one served when
   * the name is null; 404 naming the served ones otherwise.
   */
  public String indexName(String requested) {
    return endpoints.indexName(requested);
  }

  /**
   * The model that embeds queries for an index: a served model with the index's identity, else the
   * one given with {@link EmbeddingServer.Builder#index(String, VectorStore, EmbeddingModel)}; 422
   * when the server has neither.
   */
  public ServedModel indexModel(String indexName) {
    EmbeddingModel model = endpoints.indexQueryModel(indexName);
    Batcher batcher = endpoints.batcherFor(indexes.get(indexName).model());
    return new ServedModel(batcher != null ? batcher.name() : model.id(), model);
  }

  /**
   * Every chunk of a served index (by its resolved name) in memory, loaded at the first call and
   * again after the index changes.
   */
  public CollectionSnapshot collection(String indexName) {
    return endpoints.collection(indexName);
  }

  /**
   * The model a request's {@code "model"} field names (the default when absent); 404 if unknown.
   */
  public ServedModel model(JsonNode body) {
    Batcher b = endpoints.model(body);
    return new ServedModel(b.name(), b.model());
  }

  /**
   * Encodes texts with a served model (by its served name) or an index's own model, through the
   * dynamic batches when the model is served: counted, admitted by tokens, dropped when the client
   * hangs up, bounded by the request's deadline.
   */
  public float[][] encode(
      ApiRequest request, ServedModel model, List<String> texts, InputType inputType) {
    Batcher batcher = endpoints.batcher(model.name());
    if (batcher == null || batcher.model() != model.model()) {
      return model
          .model()
          .encode(texts, EncodeOptions.builder().inputType(inputType).build())
          .vectors();
    }
    return endpoints
        .encode(request, batcher, texts, true, new Batcher.Key(null, null, inputType, null))
        .vectors();
  }

  /** The request's body as a JSON object: 400 for malformed JSON (or bytes that are not UTF-8). */
  public static JsonNode readJson(ApiRequest request) {
    return EmbeddingEndpoints.readJson(request);
  }

  /**
   * A field holding a string or an array of strings, as {@code /embed}'s inputs: 422 naming what is
   * wrong, and for more than {@link ServerOptions#maxClientBatchSize()} strings.
   */
  public List<String> texts(JsonNode body, String field) {
    return endpoints.inputs(body, field);
  }

  /** Adds a GET (and HEAD) endpoint. */
  public ServerContext get(String path, Router.Access access, Cost cost, Router.Endpoint endpoint) {
    router.get(path, access, wrap(cost, endpoint));
    return screened(cost);
  }

  /** Adds a POST endpoint. */
  public ServerContext post(
      String path, Router.Access access, Cost cost, Router.Endpoint endpoint) {
    router.post(path, access, wrap(cost, endpoint));
    return screened(cost);
  }

  /**
   * Adds an endpoint for every path under {@code prefix} (ending with '/') for one method ("GET",
   * "POST"); exact routes win over it.
   */
  public ServerContext prefix(
      String method, String prefix, Router.Access access, Cost cost, Router.Endpoint endpoint) {
    router.prefix(method, prefix, access, wrap(cost, endpoint));
    return screened(cost);
  }

  private Router.Endpoint wrap(Cost cost, Router.Endpoint endpoint) {
    return switch (cost) {
      case FREE -> endpoint;
      case WORK -> admitted.apply(endpoint);
      case ENCODE -> encoding.apply(endpoint);
    };
  }

  private ServerContext screened(Cost cost) {
    if (cost == Cost.ENCODE) {
      router.screen(encodingScreen);
    }
    return this;
  }
}
