package io.jembed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The harness end to end: the OpenSearch that ./test-all starts runs k-NN queries (Lucene engine).
 */
@RequiresServers(TestServer.OPENSEARCH)
class OpenSearchServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void knnQueryFindsTheNearestVectors(TestServers.OpenSearch openSearch)
      throws IOException, InterruptedException {
    String index = "jembed-harness-" + UUID.randomUUID();
    try {
      send(
          openSearch,
          "PUT",
          "/" + index,
          "application/json",
          """
          {"settings": {"index": {"knn": true, "number_of_shards": 1, "number_of_replicas": 0}},
           "mappings": {"properties": {"embedding": {"type": "knn_vector", "dimension": 3,
             "method": {"name": "hnsw", "engine": "lucene", "space_type": "l2"}}}}}
          """);
      JsonNode bulk =
          send(
              openSearch,
              "POST",
              "/_bulk?refresh=true",
              "application/x-ndjson",
              """
              {"index": {"_index": "%1$s", "_id": "1"}}
              {"embedding": [1, 0, 0]}
              {"index": {"_index": "%1$s", "_id": "2"}}
              {"embedding": [0, 1, 0]}
              {"index": {"_index": "%1$s", "_id": "3"}}
              {"embedding": [0.9, 0.1, 0]}
              """
                  .formatted(index));
      assertThat(bulk.path("errors").asBoolean(true)).isFalse();

      JsonNode result =
          send(
              openSearch,
              "POST",
              "/" + index + "/_search",
              "application/json",
              """
              {"size": 2, "query": {"knn": {"embedding": {"vector": [1, 0, 0], "k": 2}}}}
              """);
      List<String> ids = new ArrayList<>();
      result.path("hits").path("hits").forEach(hit -> ids.add(hit.path("_id").asText()));
      assertThat(ids).containsExactly("1", "3");
    } finally {
      http.send(
          HttpRequest.newBuilder(openSearch.resolve("/" + index)).DELETE().build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  private JsonNode send(
      TestServers.OpenSearch openSearch, String method, String path, String type, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(openSearch.resolve(path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", type)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
