package io.jembed.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Maven repository on 127.0.0.1 for tests: serves published jars and their {@code .sha1} files
 * under {@code /maven2}, logs request paths. Other modules reuse it through core's test-jar.
 */
public final class FakeMavenRepository implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private FakeMavenRepository() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/maven2/", this::handle);
    server.start();
  }

  public static FakeMavenRepository start() {
    try {
      return new FakeMavenRepository();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repository URL to use as JEMBED_MAVEN_REPO. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2";
  }

  /** Publishes a jar with its correct SHA-1. */
  public FakeMavenRepository publish(
      String groupId, String artifactId, String version, byte[] jar) {
    return publish(
        groupId,
        artifactId,
        version,
        jar,
        FakeHub.sha1(jar) + "  " + artifactId + "-" + version + ".jar");
  }

  /** Publishes a jar with the given {@code .sha1} content (null: no checksum file). */
  public FakeMavenRepository publish(
      String groupId, String artifactId, String version, byte[] jar, String sha1File) {
    String path = MavenArtifacts.relativePath(groupId, artifactId, version);
    files.put(path, jar);
    if (sha1File != null) {
      files.put(path + ".sha1", sha1File.getBytes(StandardCharsets.US_ASCII));
    }
    return this;
  }

  /** Paths (below the repository root) requested so far. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath().substring("/maven2/".length());
      requests.add(path);
      byte[] body = files.get(path);
      if (body == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
      ex.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
