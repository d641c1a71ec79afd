package io.jembed.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.LoadOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads the real all-MiniLM-L6-v2 (90 MB) from a fake Hub once, then checks the cache. */
class HubClientTest {
  static final String REPO = "sentence-transformers/all-MiniLM-L6-v2";

  @TempDir static Path hfHome;
  static FakeHub hub;
  static FakeHub.Repo repo;
  static Path snapshot;
  static List<FakeHub.Request> firstRequests;
  static final List<long[]> progress = new ArrayList<>();

  @BeforeAll
  static void downloadOnce() {
    hub = FakeHub.start();
    repo = hub.publishMiniLm(REPO);
    snapshot =
        client(LoadOptions.defaults(), env())
            .withProgressListener((done, total) -> progress.add(new long[] {done, total}))
            .snapshot(REPO, null);
    firstRequests = hub.requests();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @BeforeEach
  void clear() {
    hub.clearRequests();
  }

  static Map<String, String> env() {
    return Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HOME", hfHome.toString());
  }

  static HubClient client(LoadOptions options, Map<String, String> env) {
    return HubClient.fromEnvironment(options, env);
  }

  @Test
  void downloadsTheOnnxPipelineInTheHuggingFaceCacheLayout() throws IOException {
    Path repoFolder = hfHome.resolve("hub/models--sentence-transformers--all-MiniLM-L6-v2");
    assertThat(snapshot).isEqualTo(repoFolder.resolve("snapshots").resolve(repo.commit()));
    assertThat(Files.readString(repoFolder.resolve("refs/main"))).isEqualTo(repo.commit());

    for (String file :
        List.of(
            "modules.json",
            "sentence_bert_config.json",
            "1_Pooling/config.json",
            "config_sentence_transformers.json",
            "config.json",
            "tokenizer.json",
            "onnx/model.onnx")) {
      Path link = snapshot.resolve(file);
      assertThat(link).as(file).isRegularFile();
      assertThat(Files.isSymbolicLink(link)).as(file + " is a symlink").isTrue();
      Path target = Files.readSymbolicLink(link);
      assertThat(target.isAbsolute()).isFalse();
      assertThat(link.getParent().resolve(target).normalize().getParent())
          .isEqualTo(repoFolder.resolve("blobs"));
    }
    assertThat(snapshot.resolve("README.md")).doesNotExist();
    assertThat(snapshot.resolve("pytorch_model.bin")).doesNotExist();

    // LFS blobs are named by their SHA-256, small files by their git hash, as huggingface_hub does
    String onnxSha = FakeHub.sha256(FakeHub.miniLmOnnx());
    assertThat(Files.readSymbolicLink(snapshot.resolve("onnx/model.onnx")))
        .isEqualTo(Path.of("../../../blobs/" + onnxSha));
    assertThat(Checksum.sha256(onnxSha).matches(snapshot.resolve("onnx/model.onnx"))).isTrue();
    assertThat(Files.readSymbolicLink(snapshot.resolve("tokenizer.json")))
        .isEqualTo(Path.of("../../blobs/" + FakeHub.gitBlobSha1(FakeHub.miniLmTokenizer())));
    assertThat(Files.readString(snapshot.resolve("sentence_bert_config.json")))
        .isEqualTo(FakeHub.SENTENCE_BERT_CONFIG);

    try (Stream<Path> files = Files.walk(hfHome)) {
      assertThat(files.filter(p -> p.toString().endsWith(".incomplete"))).isEmpty();
    }
  }

  @Test
  void theWeightsComeFromTheCdnWithoutCredentialsAndProgressCountsEveryByte() {
    assertThat(firstRequests)
        .filteredOn(r -> r.server().equals("cdn"))
        .singleElement()
        .satisfies(r -> assertThat(r.path()).endsWith(FakeHub.sha256(FakeHub.miniLmOnnx())));
    long expectedBytes = 0;
    for (String f :
        List.of(
            "sentence_bert_config.json",
            "1_Pooling/config.json",
            "config_sentence_transformers.json",
            "config.json")) {
      expectedBytes += FakeHub.sentenceTransformersConfigs().get(f).getBytes().length;
    }
    expectedBytes += FakeHub.miniLmTokenizer().length + FakeHub.miniLmOnnx().length;
    assertThat(progress.getLast()).containsExactly(expectedBytes, expectedBytes);
  }

  @Test
  void aSecondCallOnlyAsksWhichCommitMainIs() {
    Path again = client(LoadOptions.defaults(), env()).snapshot(REPO, "main");

    assertThat(again).isEqualTo(snapshot);
    assertThat(hub.requests())
        .singleElement()
        .satisfies(r -> assertThat(r.path()).isEqualTo("/api/models/" + REPO + "/revision/main"));
  }

  @Test
  void aCachedCommitNeedsNoRequestAtAll() {
    assertThat(client(LoadOptions.defaults(), env()).snapshot(REPO, repo.commit()))
        .isEqualTo(snapshot);
    assertThat(hub.requests()).isEmpty();
  }

  @Test
  void offlineModeUsesTheCacheAndNeverTheNetwork() {
    Map<String, String> offlineEnv =
        Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HOME", hfHome.toString(), "HF_HUB_OFFLINE", "1");
    assertThat(client(LoadOptions.defaults(), offlineEnv).snapshot(REPO)).isEqualTo(snapshot);
    assertThat(client(LoadOptions.builder().offline(true).build(), env()).snapshot(REPO))
        .isEqualTo(snapshot);
    assertThat(hub.requests()).isEmpty();

    // LoadOptions.offline(false) overrides HF_HUB_OFFLINE
    client(LoadOptions.builder().offline(false).build(), offlineEnv).snapshot(REPO);
    assertThat(hub.requests()).hasSize(1);
  }

  @Test
  void anUnreachableOrFailingHubFallsBackToTheCache() throws IOException {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }
    Map<String, String> deadEnv =
        Map.of("HF_ENDPOINT", "http://127.0.0.1:" + deadPort, "HF_HOME", hfHome.toString());
    assertThat(client(LoadOptions.defaults(), deadEnv).snapshot(REPO)).isEqualTo(snapshot);

    hub.failApiWith(503);
    try {
      assertThat(client(LoadOptions.defaults(), env()).snapshot(REPO)).isEqualTo(snapshot);
    } finally {
      hub.failApiWith(0);
    }
  }

  @Test
  void aNewCommitOnMainReusesTheBlobs() throws IOException {
    FakeHub.Repo moved =
        hub.repo("org/moving")
            .file("tokenizer.json", "{}")
            .file("onnx/model.onnx", new byte[] {8, 1, 2, 3});
    Path cache = hfHome.resolve("other-cache");
    HubClient client = client(LoadOptions.builder().cacheDir(cache).build(), env());
    Path first = client.snapshot(moved.id());
    String next = moved.push();
    hub.clearRequests();
    Path second = client.snapshot(moved.id());

    assertThat(second.getFileName().toString()).isEqualTo(next);
    assertThat(second).isNotEqualTo(first);
    assertThat(hub.requests("cdn", "GET")).isEmpty(); // the blobs were already there
    assertThat(hub.requests("hub", "GET")).hasSize(1); // only the API
    assertThat(Files.readString(cache.resolve("models--org--moving/refs/main"))).isEqualTo(next);
    assertThat(Files.mismatch(first.resolve("onnx/model.onnx"), second.resolve("onnx/model.onnx")))
        .isEqualTo(-1L);
  }
}
