package io.jembed.index.opensearch;

import io.jembed.index.StoreLocation;
import io.jembed.testing.TestServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Index names of one test class on the shared test node: a random prefix, so parallel runs (other
 * checkouts use the same node) never meet, and every index of the class is deleted after.
 */
final class TestIndices {
  private final TestServers.OpenSearch server;
  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();

  TestIndices(TestServers.OpenSearch server, String kind) {
    this.server = server;
    this.prefix = "jembed-test-" + kind + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A location where no index exists yet. */
  StoreLocation next() {
    return at(server.baseUri().getHost(), server.baseUri().getPort());
  }

  /** A new index name on another address (a proxy in front of the node). */
  StoreLocation at(String host, int port) {
    return StoreLocation.parse(
        "opensearch://" + host + ":" + port + "/" + prefix + "-" + count.incrementAndGet());
  }

  /** Deletes every index this class made (concrete indices carry the name as a prefix). */
  void deleteAll() throws IOException, InterruptedException {
    send("DELETE", "/" + prefix + "-*");
  }

  /** A request to the node itself, for what a test checks behind jembed's back. */
  String send(String method, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body();
  }
}
