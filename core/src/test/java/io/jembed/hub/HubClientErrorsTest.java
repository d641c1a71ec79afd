package io.jembed.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import io.jembed.LoadOptions;
import io.jembed.ModelNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small fake repos (a few bytes of "ONNX"): errors, variants, resume, tokens, configuration. */
class HubClientErrorsTest {
  static final byte[] ONNX = "fake onnx graph, long enough to be cut in two: 0123456789".getBytes();

  @TempDir Path hfHome;
  FakeHub hub;

  @BeforeEach
  void start() {
    hub = FakeHub.start();
  }

  @AfterEach
  void stop() {
    if (hub != null) {
      hub.close();
    }
  }

  Map<String, String> env(String... extra) {
    Map<String, String> env = new HashMap<>();
    env.put("HF_ENDPOINT", hub.endpoint());
    env.put("HF_HOME", hfHome.toString());
    for (int i = 0; i < extra.length; i += 2) {
      env.put(extra[i], extra[i + 1]);
    }
    return env;
  }

  HubClient client(String... extra) {
    return HubClient.fromEnvironment(LoadOptions.defaults(), env(extra));
  }

  FakeHub.Repo smallRepo(String id) {
    FakeHub.Repo repo = hub.repo(id);
    FakeHub.sentenceTransformersConfigs().forEach(repo::file);
    return repo.file("tokenizer.json", "{\"model\":{}}").file("onnx/model.onnx", ONNX);
  }

  @Test
  void theTokenIsSentToTheHubButNotToTheCdnAndNeverShown() {
    smallRepo("org/private").requireToken("hf_secretToken123");

    Path snapshot = client("HF_TOKEN", "hf_secretToken123").snapshot("org/private");

    assertThat(snapshot.resolve("onnx/model.onnx")).hasBinaryContent(ONNX);
    assertThat(hub.requests())
        .filteredOn(r -> r.server().equals("hub"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_secretToken123"));
    assertThat(hub.requests())
        .filteredOn(r -> r.server().equals("cdn"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.authorization()).isNull());

    HubClient wrong = client("HF_TOKEN", "hf_wrongToken456");
    assertThat(wrong.toString()).doesNotContain("hf_wrongToken456");
    assertThatThrownBy(() -> wrong.snapshot("org/private", "main"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("org/private")
        .hasMessageContaining("HF_TOKEN")
        .hasMessageNotContaining("hf_wrongToken456");
  }

  @Test
  void aMissingRepoSaysSoAndMentionsTheTokenForPrivateRepos() {
    assertThatThrownBy(() -> client().snapshot("org/nope"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("org/nope not found")
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("private or gated, set HF_TOKEN");
    assertThatThrownBy(() -> client("HF_TOKEN", "hf_x").snapshot("org/nope"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining(hub.endpoint() + "/api/models/org/nope/revision/main");
  }

  @Test
  void accessDeniedStatusesSayWhatToDo() {
    smallRepo("org/model");
    hub.failApiWith(401);
    assertThatThrownBy(() -> client().snapshot("org/model"))
        .isInstanceOfSatisfying(
            HttpStatusException.class, e -> assertThat(e.statusCode()).isEqualTo(401))
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("Set HF_TOKEN");
    hub.failApiWith(403);
    assertThatThrownBy(() -> client("HF_TOKEN", "hf_weak").snapshot("org/model"))
        .isInstanceOfSatisfying(
            HttpStatusException.class, e -> assertThat(e.statusCode()).isEqualTo(403))
        .hasMessageContaining("HTTP 403")
        .hasMessageNotContaining("hf_weak");
  }

  @Test
  void anUnknownRevisionIsNamed() {
    smallRepo("org/model");
    assertThatThrownBy(() -> client().snapshot("org/model", "v9"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("Revision 'v9' not found")
        .hasMessageContaining("org/model");
  }

  @Test
  void aRepoWithoutOnnxSaysHowToExportOneAndListsItsFiles() {
    FakeHub.Repo repo = hub.repo("org/pytorch-only");
    FakeHub.sentenceTransformersConfigs().forEach(repo::file);
    repo.file("pytorch_model.bin", "weights").file("model.safetensors", "weights");

    assertThatThrownBy(() -> client().snapshot("org/pytorch-only"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("has no ONNX export")
        .hasMessageContaining(
            "optimum-cli export onnx --model org/pytorch-only --task feature-extraction out/")
        .hasMessageContaining("load the folder out/")
        .hasMessageContaining("pytorch_model.bin")
        .hasMessageContaining("model.safetensors");
    assertThat(hub.requests("cdn", "GET")).isEmpty();
  }

  @Test
  void aRequestedOnnxVariantIsFetchedInsteadOfTheDefault() {
    byte[] quantized = "quantized".getBytes();
    smallRepo("org/model").file("onnx/model_qint8_avx512_vnni.onnx", quantized);
    LoadOptions options =
        LoadOptions.builder().property("onnxFile", "onnx/model_qint8_avx512_vnni.onnx").build();

    Path snapshot = HubClient.fromEnvironment(options, env()).snapshot("org/model");

    assertThat(snapshot.resolve("onnx/model_qint8_avx512_vnni.onnx")).hasBinaryContent(quantized);
    assertThat(snapshot.resolve("onnx/model.onnx")).doesNotExist();

    LoadOptions missing = LoadOptions.builder().property("onnxFile", "onnx/model_O4.onnx").build();
    assertThatThrownBy(() -> HubClient.fromEnvironment(missing, env()).snapshot("org/model"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("no ONNX file 'onnx/model_O4.onnx'")
        .hasMessageContaining("onnx/model.onnx, onnx/model_qint8_avx512_vnni.onnx");
  }

  @Test
  void externalDataAndModuleFoldersComeAlong() throws IOException {
    FakeHub.Repo repo = smallRepo("org/big");
    repo.file("onnx/model.onnx_data", "external weights")
        .file(
            "modules.json",
            """
            [{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
             {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
             {"idx":2,"name":"2","path":"2_Dense","type":"sentence_transformers.models.Dense"}]
            """)
        .file("2_Dense/config.json", "{\"in_features\":384,\"out_features\":256}")
        .file("2_Dense/model.safetensors", "dense weights")
        .file("2_Dense/pytorch_model.bin", "same dense weights")
        .file("onnx/model_O2.onnx", "other variant")
        .file("model.safetensors", "transformer weights");

    Path snapshot = client().snapshot("org/big");

    assertThat(snapshot.resolve("onnx/model.onnx_data")).hasContent("external weights");
    assertThat(snapshot.resolve("2_Dense/config.json")).exists();
    assertThat(snapshot.resolve("2_Dense/model.safetensors")).hasContent("dense weights");
    assertThat(snapshot.resolve("2_Dense/pytorch_model.bin")).doesNotExist();
    assertThat(snapshot.resolve("onnx/model_O2.onnx")).doesNotExist();
    assertThat(snapshot.resolve("model.safetensors")).doesNotExist();
    try (var files = Files.list(snapshot)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "modules.json",
              "sentence_bert_config.json",
              "1_Pooling",
              "2_Dense",
              "config_sentence_transformers.json",
              "config.json",
              "tokenizer.json",
              "onnx");
    }
  }

  @Test
  void offlineWithNothingCachedSaysWhatToRunOnline() {
    smallRepo("org/model");
    assertThatThrownBy(() -> client("HF_HUB_OFFLINE", "1").snapshot("org/model"))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("org/model")
        .hasMessageContaining("offline mode is on")
        .hasMessageContaining("Run once online")
        .hasMessageContaining(hfHome.resolve("hub").toString());
    assertThat(hub.requests()).isEmpty();
  }

  @Test
  void anInterruptedDownloadLeavesNoSnapshotFileAndTheNextCallResumes() throws IOException {
    FakeHub.Repo repo = smallRepo("org/model");
    hub.cutOffNextDownload("onnx/model.onnx", 20);

    assertThatThrownBy(() -> client().snapshot("org/model"))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("/org/model/resolve/" + repo.commit() + "/onnx/model.onnx");
    Path repoFolder = hfHome.resolve("hub/models--org--model");
    Path snapshotFile =
        repoFolder.resolve("snapshots").resolve(repo.commit()).resolve("onnx/model.onnx");
    Path blob = repoFolder.resolve("blobs").resolve(FakeHub.sha256(ONNX));
    assertThat(snapshotFile).doesNotExist();
    assertThat(blob).doesNotExist();
    assertThat(Downloader.incompleteFile(blob)).hasSize(20);
    assertThat(repoFolder.resolve("refs/main")).doesNotExist();

    hub.clearRequests();
    Path snapshot = client().snapshot("org/model");

    assertThat(snapshot.resolve("onnx/model.onnx")).hasBinaryContent(ONNX);
    assertThat(hub.requests("cdn", "GET"))
        .singleElement()
        .satisfies(r -> assertThat(r.range()).isEqualTo("bytes=20-"));
    assertThat(Downloader.incompleteFile(blob)).doesNotExist();
  }

  @Test
  void aServerIgnoringRangesStillGivesTheRightFile() throws IOException {
    smallRepo("org/model");
    hub.cutOffNextDownload("onnx/model.onnx", 20);
    assertThatThrownBy(() -> client().snapshot("org/model")).isInstanceOf(JembedException.class);
    hub.rangeSupported(false);
    assertThat(client().snapshot("org/model").resolve("onnx/model.onnx")).hasBinaryContent(ONNX);
  }

  @Test
  void concurrentCallsShareOneDownload() throws Exception {
    smallRepo("org/model");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Callable<Path> call = () -> client().snapshot("org/model");
        results.add(pool.submit(call));
      }
      Path first = results.getFirst().get();
      for (Future<Path> f : results) {
        assertThat(f.get()).isEqualTo(first);
      }
      assertThat(first.resolve("onnx/model.onnx")).hasBinaryContent(ONNX);
      assertThat(hub.requests("cdn", "GET")).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void configurationFollowsHuggingFaceHubConventions() {
    HubClient defaults = HubClient.fromEnvironment(LoadOptions.defaults(), Map.of());
    assertThat(defaults.endpoint()).isEqualTo("https://huggingface.co");
    assertThat(defaults.offline()).isFalse();

    HubClient fromEnv =
        HubClient.fromEnvironment(
            LoadOptions.defaults(),
            Map.of(
                "HF_ENDPOINT", "https://hub.example.org/",
                "HF_HOME", "/tmp/hf-home",
                "HF_HUB_OFFLINE", "true",
                "HF_TOKEN", "hf_abc"));
    assertThat(fromEnv.endpoint()).isEqualTo("https://hub.example.org");
    assertThat(fromEnv.cacheDir()).isEqualTo(Path.of("/tmp/hf-home/hub"));
    assertThat(fromEnv.offline()).isTrue();
    assertThat(fromEnv.hasToken()).isTrue();
    assertThat(fromEnv.toString()).doesNotContain("hf_abc");

    assertThat(
            HubClient.fromEnvironment(
                    LoadOptions.defaults(),
                    Map.of("HF_HOME", "/tmp/hf-home", "HF_HUB_CACHE", "/tmp/hub-cache"))
                .cacheDir())
        .isEqualTo(Path.of("/tmp/hub-cache"));

    HubClient overridden =
        HubClient.fromEnvironment(
            LoadOptions.builder()
                .baseUrl("http://127.0.0.1:9/")
                .cacheDir(Path.of("/tmp/explicit"))
                .offline(false)
                .build(),
            Map.of("HF_ENDPOINT", "https://hub.example.org", "HF_HUB_OFFLINE", "1"));
    assertThat(overridden.endpoint()).isEqualTo("http://127.0.0.1:9");
    assertThat(overridden.cacheDir()).isEqualTo(Path.of("/tmp/explicit"));
    assertThat(overridden.offline()).isFalse();

    assertThatThrownBy(
            () ->
                HubClient.fromEnvironment(LoadOptions.defaults(), Map.of("HF_ENDPOINT", "ftp://x")))
        .hasMessageContaining("http(s) URL");
  }

  @Test
  void theEndpointFromLoadOptionsWinsOverHfEndpoint() {
    smallRepo("org/model");
    LoadOptions options = LoadOptions.builder().baseUrl(hub.endpoint()).build();
    Path snapshot =
        HubClient.fromEnvironment(
                options, Map.of("HF_ENDPOINT", "http://127.0.0.1:9", "HF_HOME", hfHome.toString()))
            .snapshot("org/model");
    assertThat(snapshot.resolve("onnx/model.onnx")).hasBinaryContent(ONNX);
  }

  @Test
  void badRepoIdsAndRevisionsAreRefusedBeforeAnyRequest() {
    for (String bad :
        List.of("", "a/b/c", "../etc", "org/..", "org--x/y", "/org/name", "org/ name")) {
      assertThatThrownBy(() -> client().snapshot(bad))
          .as(bad)
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("Not a Hugging Face repo id");
    }
    for (String bad : List.of("../main", "/main", "a b", "refs/../../x")) {
      assertThatThrownBy(() -> client().snapshot("org/model", bad))
          .as(bad)
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("Not a Hub revision");
    }
    assertThat(hub.requests()).isEmpty();
  }

  @Property(tries = 200)
  void validRepoIdsMapToOneFolderInsideTheCache(
      @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 20) String org,
      @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 20) String name) {
    HubClient client =
        HubClient.fromEnvironment(
            LoadOptions.builder().cacheDir(Path.of("/tmp/cache")).build(), Map.of());
    Path folder = client.repoFolder(org + "/" + name);
    assertThat(folder.getParent()).isEqualTo(Path.of("/tmp/cache"));
    assertThat(folder.getFileName().toString()).isEqualTo("models--" + org + "--" + name);
  }

  @Property(tries = 200)
  void repoIdsWithPathTricksAreRefused(
      @ForAll @StringLength(max = 12) String prefix,
      @ForAll @StringLength(max = 12) String suffix) {
    for (String trick : List.of("..", "--", "/../", "\\", " ")) {
      String id = prefix + trick + suffix;
      assertThatThrownBy(() -> HubClient.validateRepoId(id)).isInstanceOf(JembedException.class);
    }
  }
}
