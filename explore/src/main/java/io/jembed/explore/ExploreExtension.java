package io.jembed.explore;

import io.jembed.server.ApiResponse;
import io.jembed.server.Router.Access;
import io.jembed.server.ServerContext;
import io.jembed.server.ServerContext.Cost;
import io.jembed.server.ServerExtension;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * jembed explore's endpoints on a jembed server: the page at {@code /} and {@code /explore/...}
 * (open), {@code /explore/config.json} (open: whether the JSON endpoints need a key), and the JSON
 * endpoints the page uses, each under the server's API key, limits and admission. Installed by
 * {@code jembed serve} whenever this module is on the class path.
 */
public final class ExploreExtension implements ServerExtension {
  private final TokenOffsets tokens = new TokenOffsets();

  /** Maps of indexes whose folder is not writable are kept in jembed's cache. */
  private final MapCache maps = MapCache.inJembedCache();

  @Override
  public void install(ServerContext context) {
    TextEndpoints text = new TextEndpoints(context, tokens);
    CollectionEndpoints collections = new CollectionEndpoints(context, maps);
    Access key = Access.API_KEY;
    context
        .get("/", Access.OPEN, Cost.FREE, StaticFiles::index)
        .get("/explore/config.json", Access.OPEN, Cost.FREE, request -> config(context))
        .prefix("GET", "/explore/", Access.OPEN, Cost.FREE, StaticFiles::explore)
        .post("/tokenize", key, Cost.WORK, text::tokenize)
        .post("/compare", key, Cost.ENCODE, text::compare)
        .post("/explain", key, Cost.ENCODE, text::explain)
        .post("/maps", key, Cost.WORK, collections::createMap)
        .prefix("GET", "/maps/", key, Cost.FREE, collections::getMapPart)
        .prefix("POST", "/maps/", key, Cost.ENCODE, collections::place)
        .post("/neighbours", key, Cost.WORK, collections::neighbours)
        .post("/duplicates", key, Cost.WORK, collections::duplicates);
  }

  private static ApiResponse config(ServerContext context) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("auth_required", context.authRequired());
    out.put("version", context.version());
    return ApiResponse.json(200, out);
  }

  @Override
  public void close() {
    tokens.close();
  }
}
