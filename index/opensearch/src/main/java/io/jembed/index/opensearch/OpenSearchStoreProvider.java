package io.jembed.index.opensearch;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.StoreCheck;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.spi.VectorStoreProvider;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.HealthStatus;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.Time;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;
import org.opensearch.client.opensearch.indices.GetMappingResponse;
import org.opensearch.client.opensearch.indices.TranslogDurability;
import org.opensearch.client.opensearch.indices.get_mapping.IndexMappingRecord;

/**
 * Serves {@code opensearch://host:port/index} (and {@code opensearch+https://}) locations with
 * {@link OpenSearchVectorStore}.
 *
 * <p>The location's name is an alias: {@code create} makes a concrete index {@code
 * NAME-jembed-RANDOM} with the alias {@code NAME}, so {@code reindex} can put a new index in the
 * old one's place in one atomic alias update ({@link #replace}).
 */
public final class OpenSearchStoreProvider implements VectorStoreProvider {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OpenSearchSettings settings;

  /** The provider {@link java.util.ServiceLoader} finds: settings from the environment. */
  public OpenSearchStoreProvider() {
    this(null);
  }

  /** A provider with these settings (null: {@link OpenSearchSettings#fromEnvironment()}). */
  public OpenSearchStoreProvider(OpenSearchSettings settings) {
    this.settings = settings;
  }

  @Override
  public String scheme() {
    return "opensearch";
  }

  private OpenSearchConnection connect(StoreLocation location) {
    if (!(location instanceof StoreLocation.OpenSearch os)) {
      throw new IllegalArgumentException(location + " is not an OpenSearch location");
    }
    OpenSearchSettings s = settings != null ? settings : OpenSearchSettings.fromEnvironment();
    return new OpenSearchConnection(os, s);
  }

  /** Runs {@code use} with a connection that is closed after. */
  private <T> T with(StoreLocation location, Function<OpenSearchConnection, T> use) {
    try (OpenSearchConnection c = connect(location)) {
      return use.apply(c);
    }
  }

  // ---------------------------------------------------------------------------------- creating

  @Override
  public VectorStore create(
      StoreLocation location, IndexMetadata metadata, EmbeddingModel model, IndexOptions options) {
    TypeMapping mapping = OpenSearchSchema.mapping(metadata); // refuses what cannot be indexed
    OpenSearchConnection c = connect(location);
    try {
      String name = c.location().index();
      if (exists(c)) {
        throw new JembedException(
            "cannot create an index at "
                + location
                + ": OpenSearch has an index or alias named '"
                + name
                + "' already");
      }
      String concrete = name + "-jembed-" + HexFormat.of().formatHex(randomBytes(4));
      c.read(
          "creating index " + concrete,
          client ->
              client
                  .indices()
                  .create(
                      r ->
                          r.index(concrete)
                              .aliases(name, a -> a)
                              .settings(
                                  s ->
                                      s.knn(true)
                                          // one copy per extra node, up to one: a single node
                                          // keeps no replica it cannot place (green, not yellow)
                                          .autoExpandReplicas("0-1")
                                          // visible at commits only: a commit shows as a whole
                                          .refreshInterval(Time.of(t -> t.time("-1")))
                                          // a bulk request is answered once its translog is on
                                          // disk: an acknowledged commit survives a crash
                                          .translog(tl -> tl.durability(TranslogDurability.Request))
                                          .maxInnerResultWindow(OpenSearchReader.MAX_INNER_HITS))
                              .mappings(mapping)));
      return new OpenSearchVectorStore(c, concrete, metadata, model, false);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  // ---------------------------------------------------------------------------------- opening

  @Override
  public VectorStore open(StoreLocation location, EmbeddingModel model, boolean readOnly) {
    OpenSearchConnection c = connect(location);
    try {
      Described d = describe(c);
      if (model != null) {
        d.metadata().requireModel(location, model.info());
      }
      return new OpenSearchVectorStore(c, d.index(), d.metadata(), model, readOnly);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  @Override
  public IndexMetadata describe(StoreLocation location) {
    return with(location, c -> describe(c).metadata());
  }

  /** The concrete index behind a location, its metadata and its mapping. */
  private record Described(String index, IndexMetadata metadata, TypeMapping mapping) {}

  private Described describe(OpenSearchConnection c) {
    String name = c.location().index();
    GetMappingResponse response;
    try {
      response =
          c.read("reading the mapping", client -> client.indices().getMapping(g -> g.index(name)));
    } catch (JembedException e) {
      if (e.getCause() instanceof OpenSearchException o && o.status() == 404) {
        throw new JembedException(
            "no index at "
                + c.location()
                + ": OpenSearch has no index or alias '"
                + name
                + "' (create one with `jembed index create "
                + c.location()
                + " --model NAME`)",
            e);
      }
      throw e;
    }
    Map<String, IndexMappingRecord> indices = response.result();
    if (indices.size() != 1) {
      throw new JembedException(
          "index at "
              + c.location()
              + " is ambiguous: '"
              + name
              + "' names "
              + indices.size()
              + " indices "
              + indices.keySet());
    }
    Map.Entry<String, IndexMappingRecord> only = indices.entrySet().iterator().next();
    TypeMapping mapping = only.getValue().mappings();
    JsonData meta = mapping == null ? null : mapping.meta().get(OpenSearchSchema.META_KEY);
    if (meta == null) {
      throw new JembedException(
          "index at "
              + c.location()
              + " is not a jembed index: its mapping has no _meta."
              + OpenSearchSchema.META_KEY
              + " (create one with `jembed index create`)");
    }
    IndexMetadata metadata =
        IndexMetadata.fromJson(meta.toJson().toString(), "index at " + c.location());
    return new Described(only.getKey(), metadata, mapping);
  }

  // ------------------------------------------------------------------------------- management

  @Override
  public boolean exists(StoreLocation location) {
    return with(location, this::exists);
  }

  private boolean exists(OpenSearchConnection c) {
    return c.read(
        "looking for the index",
        client -> client.indices().exists(e -> e.index(c.location().index())).value());
  }

  /** Deletes the index behind the location (the alias goes with it). */
  @Override
  public void drop(StoreLocation location) {
    with(
        location,
        c -> {
          List<String> indices = concreteIndices(c);
          if (!indices.isEmpty()) {
            c.read("deleting the index", client -> client.indices().delete(d -> d.index(indices)));
          }
          return null;
        });
  }

  private List<String> concreteIndices(OpenSearchConnection c) {
    if (!exists(c)) {
      return List.of();
    }
    String name = c.location().index();
    return new ArrayList<>(
        c.read("resolving the index", client -> client.indices().getMapping(g -> g.index(name)))
            .result()
            .keySet());
  }

  /**
   * One atomic alias update: the location's name moves to the replacement's index, the old index is
   * deleted, and the replacement's own name goes away.
   */
  @Override
  public void replace(StoreLocation replacement, StoreLocation location) {
    try (OpenSearchConnection fresh = connect(replacement);
        OpenSearchConnection old = connect(location)) {
      List<String> freshIndices = concreteIndices(fresh);
      if (freshIndices.size() != 1) {
        throw new JembedException("no single index at " + replacement + " to put in place");
      }
      String freshIndex = freshIndices.get(0);
      String freshName = fresh.location().index();
      String name = old.location().index();
      List<String> oldIndices = concreteIndices(old);
      old.read(
          "replacing the index",
          client ->
              client
                  .indices()
                  .updateAliases(
                      u -> {
                        if (!freshName.equals(freshIndex)) {
                          u.actions(a -> a.remove(r -> r.index(freshIndex).alias(freshName)));
                        }
                        for (String o : oldIndices) {
                          u.actions(a -> a.removeIndex(r -> r.index(o)));
                        }
                        return u.actions(a -> a.add(ad -> ad.index(freshIndex).alias(name)));
                      }));
    }
  }

  // ------------------------------------------------------------------------------------ check

  /**
   * The contract's check (every document and vector read back, searches with stored vectors), after
   * OpenSearch's own view: the index's health and its vector field's mapping.
   */
  @Override
  public StoreCheck check(StoreLocation location) {
    List<String> problems = new ArrayList<>();
    try (OpenSearchConnection c = connect(location)) {
      Described d = describe(c);
      HealthStatus health =
          c.read(
                  "reading the index's health",
                  client -> client.cluster().health(h -> h.index(d.index())))
              .status();
      if (health == HealthStatus.Red) {
        problems.add(
            "index "
                + d.index()
                + " is red: some of its primary shards are not allocated (see GET _cluster/allocation/explain)");
      }
      problems.addAll(mappingProblems(d));
    } catch (JembedException e) {
      problems.add(e.getMessage());
      return new StoreCheck(location, 0, 0, problems);
    }
    return StoreCheck.readEverything(this, location).after(problems);
  }

  private static List<String> mappingProblems(Described d) {
    List<String> problems = new ArrayList<>();
    Property chunks = d.mapping().properties().get(OpenSearchSchema.CHUNKS);
    Property vector =
        chunks == null || !chunks.isNested()
            ? null
            : chunks.nested().properties().get(OpenSearchSchema.VECTOR);
    if (vector == null || !vector.isKnnVector()) {
      problems.add("the mapping has no knn_vector field chunks.vector");
      return problems;
    }
    int dimension = vector.knnVector().dimension();
    if (dimension != d.metadata().model().dimension()) {
      problems.add(
          "chunks.vector holds "
              + dimension
              + "-d vectors, but the index's model "
              + d.metadata().model().id()
              + " makes "
              + d.metadata().model().dimension()
              + "-d ones");
    }
    String expected = OpenSearchSchema.spaceType(d.metadata().model());
    String space =
        vector.knnVector().spaceType() != null
            ? vector.knnVector().spaceType()
            : vector.knnVector().method() == null ? null : vector.knnVector().method().spaceType();
    if (space != null && !space.equals(expected)) {
      problems.add(
          "chunks.vector compares by " + space + ", but the model's similarity needs " + expected);
    }
    return problems;
  }
}
