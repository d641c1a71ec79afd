package io.jembed.server;

/**
 * Adds endpoints to a server, e.g. the explore page and its API. Extensions on the class path are
 * found with {@link java.util.ServiceLoader} (a {@code
 * META-INF/services/io.jembed.server.ServerExtension} file) when the server starts, unless {@link
 * EmbeddingServer.Builder#discoverExtensions(boolean)} turns that off; {@link
 * EmbeddingServer.Builder#extension} adds one explicitly.
 *
 * <p>An extension's endpoints share the server's API key, body limits, admission and error shape;
 * they answer with {@link ApiResponse} and refuse with {@link ApiException}.
 */
public interface ServerExtension {
  /** Adds routes through the context; called once while the server starts. */
  void install(ServerContext context);

  /**
   * Releases what the extension holds (native tokenizers, caches); called when the server closes.
   */
  default void close() {}
}
