package io.jembed.explore;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.InputType;
import io.jembed.JembedException;
import io.jembed.SimilarityFunction;
import io.jembed.index.VectorStore;
import io.jembed.plot.ProjectionMethod;
import io.jembed.server.ApiException;
import io.jembed.server.ApiRequest;
import io.jembed.server.ApiResponse;
import io.jembed.server.CollectionSnapshot;
import io.jembed.server.ServerContext;
import io.jembed.server.ServerContext.ServedModel;
import io.jembed.toolkit.Community;
import io.jembed.toolkit.NearDuplicates;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The endpoints over a whole collection: {@code /maps} (a 2-D layout, its points, colours, and a
 * query placed on it), {@code /neighbours} (nearest chunks in the original space) and {@code
 * /duplicates} (near-duplicate groups). Point {@code i} is chunk i of the index's {@link
 * CollectionSnapshot}, the same for every map of that index.
 */
final class CollectionEndpoints {
  /** Points one {@code /maps/{id}/points} page holds at most. */
  static final int MAX_POINTS_PAGE = 10_000;

  /** Colour categories at most; rarer values share "(other)". */
  static final int MAX_CATEGORIES = 256;

  /** Chunks {@code /duplicates} compares all pairs of at most (the cost is quadratic). */
  static final int MAX_DUPLICATE_POINTS = 50_000;

  /** Groups one {@code /duplicates} answer lists at most. */
  static final int MAX_GROUPS = 1_000;

  private final ServerContext context;
  private final MapCache cache;
  private final Map<String, MapView> maps = new ConcurrentHashMap<>();

  /** A map as served: its index, content, layout and colouring. */
  private record MapView(
      String index,
      CollectionSnapshot collection,
      ProjectionMethod method,
      float[] xy,
      List<Map<String, Object>> legend,
      char[] colors) {}

  CollectionEndpoints(ServerContext context, MapCache cache) {
    this.context = context;
    this.cache = cache;
  }

  // ---------------------------------------------------------------- maps

  ApiResponse createMap(ApiRequest request) {
    JsonNode body = ServerContext.readJson(request);
    String index = context.indexName(Fields.optionalString(body, "index"));
    String methodName = Fields.optionalString(body, "method");
    ProjectionMethod method;
    try {
      method = ProjectionMethod.parse(methodName == null ? "pca" : methodName);
    } catch (JembedException e) {
      throw ApiException.invalid(e.getMessage());
    }
    String colorBy = Fields.optionalString(body, "color_by");
    if (colorBy == null || colorBy.isBlank()) {
      colorBy = "label";
    }
    VectorStore store = context.indexes().get(index);
    CollectionSnapshot collection = context.collection(index);
    MapCache.Layout layout = cache.layout(store, collection, method);
    String id = mapId(collection.version(), method, colorBy);
    String field = colorBy;
    MapView view =
        maps.computeIfAbsent(id, k -> colour(index, collection, method, layout.xy(), field));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", id);
    out.put("index", index);
    out.put("points", collection.size());
    out.put("method", method.name().toLowerCase(Locale.ROOT));
    out.put("cached", layout.cached());
    out.put("color_by", colorBy);
    out.put("coordinates", "/maps/" + id + "/coordinates");
    out.put("colors", "/maps/" + id + "/colors");
    out.put("legend", view.legend());
    return ApiResponse.json(200, out);
  }

  /** GET {@code /maps/{id}/coordinates|points|colors}. */
  ApiResponse getMapPart(ApiRequest request) {
    String[] parts = mapPath(request);
    MapView view = view(parts[0]);
    return switch (parts[1]) {
      case "coordinates" ->
          ApiResponse.bytes(200, "application/octet-stream", MapCache.littleEndian(view.xy()));
      case "colors" -> ApiResponse.bytes(200, "application/octet-stream", uint16(view.colors()));
      case "points" -> points(request, view);
      default -> throw ApiException.notFound("no endpoint " + request.path());
    };
  }

  /** POST {@code /maps/{id}/place}. */
  ApiResponse place(ApiRequest request) {
    String[] parts = mapPath(request);
    if (!parts[1].equals("place")) {
      throw ApiException.notFound("no endpoint " + request.path());
    }
    MapView view = view(parts[0]);
    JsonNode body = ServerContext.readJson(request);
    String query = Fields.requiredText(body, "query");
    int k = Fields.optionalInt(body, "k", 10, 1, 1000);
    ServedModel model = context.indexModel(view.index());
    float[] q = context.encode(request, model, List.of(query), InputType.QUERY)[0];
    SimilarityFunction similarity = context.indexes().get(view.index()).model().similarity();
    List<Scored> hits = nearest(view.collection(), similarity, q, k, -1);
    // the query sits at the mean of its nearest points' positions, weighted by their scores
    double x = 0;
    double y = 0;
    double weights = 0;
    for (Scored h : hits) {
      double w = Math.max(h.score(), 0) + 1e-6;
      x += w * view.xy()[2 * h.point()];
      y += w * view.xy()[2 * h.point() + 1];
      weights += w;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("x", hits.isEmpty() ? 0 : x / weights);
    out.put("y", hits.isEmpty() ? 0 : y / weights);
    out.put("hits", hits.stream().map(Scored::point).toList());
    out.put("scores", hits.stream().map(Scored::score).toList());
    return ApiResponse.json(200, out);
  }

  private ApiResponse points(ApiRequest request, MapView view) {
    int size = view.collection().size();
    int from = Fields.queryInt(request.queryParameter("from"), "from", 0, 0, size);
    int to =
        Fields.queryInt(
            request.queryParameter("to"), "to", Math.min(size, from + 1000), from, size);
    if (to - from > MAX_POINTS_PAGE) {
      throw ApiException.invalid(
          "at most " + MAX_POINTS_PAGE + " points per page, asked for " + (to - from));
    }
    List<Map<String, Object>> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      CollectionSnapshot.Chunk c = view.collection().chunks().get(i);
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("i", i);
      p.put("id", c.id());
      p.put("document", c.documentId());
      p.put("text", c.text());
      p.put("label", view.legend().get(view.colors()[i]).get("value"));
      p.put("metadata", c.metadata());
      out.add(p);
    }
    return ApiResponse.json(200, out);
  }

  private static String[] mapPath(ApiRequest request) {
    String rest = request.path().substring("/maps/".length());
    String[] parts = rest.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty()) {
      throw ApiException.notFound("no endpoint " + request.path());
    }
    return parts;
  }

  private MapView view(String id) {
    MapView view = maps.get(id);
    if (view == null) {
      throw ApiException.notFound("no map '" + id + "': make it with POST /maps");
    }
    return view;
  }

  private static MapView colour(
      String index,
      CollectionSnapshot collection,
      ProjectionMethod method,
      float[] xy,
      String field) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    String[] values = new String[collection.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = collection.chunks().get(i).metadata().get(field);
      values[i] = v == null ? "(none)" : String.valueOf(v);
      counts.merge(values[i], 1, Integer::sum);
    }
    List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
    Map<String, Integer> category = new LinkedHashMap<>();
    List<Map<String, Object>> legend = new ArrayList<>();
    int other = 0;
    for (Map.Entry<String, Integer> e : sorted) {
      if (category.size() < MAX_CATEGORIES - 1 || sorted.size() <= MAX_CATEGORIES) {
        category.put(e.getKey(), legend.size());
        legend.add(new LinkedHashMap<>(Map.of("value", e.getKey(), "count", e.getValue())));
      } else {
        other += e.getValue();
      }
    }
    if (other > 0) {
      legend.add(new LinkedHashMap<>(Map.of("value", "(other)", "count", other)));
    }
    char[] colors = new char[values.length];
    for (int i = 0; i < values.length; i++) {
      colors[i] = (char) (int) category.getOrDefault(values[i], legend.size() - 1);
    }
    return new MapView(index, collection, method, xy, List.copyOf(legend), colors);
  }

  private static byte[] uint16(char[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.asCharBuffer().put(values);
    return b.array();
  }

  private static String mapId(String version, ProjectionMethod method, String colorBy) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update((version + "\n" + method + "\n" + colorBy).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- neighbours

  ApiResponse neighbours(ApiRequest request) {
    JsonNode body = ServerContext.readJson(request);
    int k = Fields.optionalInt(body, "k", 10, 1, 1000);
    String mapId = Fields.optionalString(body, "map");
    String index;
    CollectionSnapshot collection;
    int point;
    if (mapId != null) {
      MapView view = view(mapId);
      index = view.index();
      collection = view.collection();
      point = Fields.optionalInt(body, "point", -1, 0, collection.size() - 1);
      if (point < 0) {
        throw ApiException.invalid("with \"map\", give \"point\": a point index of that map");
      }
    } else {
      index = context.indexName(Fields.optionalString(body, "index"));
      collection = context.collection(index);
      String id = Fields.requiredText(body, "id");
      point = collection.indexOf(id);
      if (point < 0) {
        throw ApiException.notFound("no document or chunk '" + id + "' in index '" + index + "'");
      }
    }
    SimilarityFunction similarity = context.indexes().get(index).model().similarity();
    List<Scored> near = nearest(collection, similarity, collection.vectors()[point], k, point);
    List<Map<String, Object>> out = new ArrayList<>(near.size());
    for (Scored s : near) {
      CollectionSnapshot.Chunk c = collection.chunks().get(s.point());
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("i", s.point());
      e.put("id", c.id());
      e.put("score", s.score());
      e.put("text", c.text());
      out.add(e);
    }
    return ApiResponse.json(200, out);
  }

  private record Scored(int point, float score) {}

  /** The k best-scoring points for a vector, best first, leaving out {@code except}. */
  private static List<Scored> nearest(
      CollectionSnapshot collection, SimilarityFunction similarity, float[] q, int k, int except) {
    PriorityQueue<Scored> top = new PriorityQueue<>((a, b) -> Float.compare(a.score(), b.score()));
    float[][] vectors = collection.vectors();
    for (int i = 0; i < vectors.length; i++) {
      if (i == except) {
        continue;
      }
      float s = similarity.score(q, vectors[i]);
      if (top.size() < k) {
        top.add(new Scored(i, s));
      } else if (s > top.peek().score()) {
        top.poll();
        top.add(new Scored(i, s));
      }
    }
    List<Scored> out = new ArrayList<>(top);
    out.sort((a, b) -> Float.compare(b.score(), a.score()));
    return out;
  }

  // ---------------------------------------------------------------- duplicates

  ApiResponse duplicates(ApiRequest request) {
    JsonNode body = ServerContext.readJson(request);
    String index = context.indexName(Fields.optionalString(body, "index"));
    float threshold =
        (float) Fields.optionalDouble(body, "threshold", NearDuplicates.DEFAULT_THRESHOLD, 0, 1);
    CollectionSnapshot collection = context.collection(index);
    if (collection.size() > MAX_DUPLICATE_POINTS) {
      throw ApiException.invalid(
          "index '"
              + index
              + "' has "
              + collection.size()
              + " chunks; /duplicates compares all pairs of at most "
              + MAX_DUPLICATE_POINTS);
    }
    SimilarityFunction similarity = context.indexes().get(index).model().similarity();
    List<Community> groups = NearDuplicates.find(collection.vectors(), threshold, similarity);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Community g : groups.subList(0, Math.min(groups.size(), MAX_GROUPS))) {
      List<String> ids = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      float min = Float.POSITIVE_INFINITY;
      List<Integer> members = g.members();
      for (int a = 0; a < members.size(); a++) {
        CollectionSnapshot.Chunk c = collection.chunks().get(members.get(a));
        ids.add(c.id());
        texts.add(c.text());
        for (int b = a + 1; b < members.size(); b++) {
          min =
              Math.min(
                  min,
                  similarity.score(
                      collection.vectors()[members.get(a)], collection.vectors()[members.get(b)]));
        }
      }
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("ids", ids);
      e.put("points", members);
      e.put("texts", texts);
      e.put("score_min", min);
      list.add(e);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("index", index);
    out.put("threshold", threshold);
    out.put("total_groups", groups.size());
    out.put("groups", list);
    return ApiResponse.json(200, out);
  }
}
