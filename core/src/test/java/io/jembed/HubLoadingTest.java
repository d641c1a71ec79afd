package io.jembed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jembed.hub.FakeHub;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading by Hub id, end to end, against a fake Hub on loopback serving the real model files. */
class HubLoadingTest {

  @Test
  void aHubModelIsDownloadedOnceThenLoadsOfflineWithTheBundledVectors(@TempDir Path cache) {
    List<String> texts = List.of("The cat sat on the mat.", "A dog rested on the rug.");
    try (FakeHub hub = FakeHub.start();
        SentenceTransformer bundled = SentenceTransformer.load("all-MiniLM-L6-v2")) {
      hub.publishMiniLm("acme/minilm");
      LoadOptions online =
          LoadOptions.builder().baseUrl(hub.endpoint()).cacheDir(cache).offline(false).build();
      float[][] expected = bundled.encode(texts);
      try (SentenceTransformer fromHub = SentenceTransformer.load("acme/minilm", online)) {
        assertThat(fromHub.source()).isEqualTo("hub");
        assertThat(fromHub.id()).isEqualTo("acme/minilm");
        assertThat(fromHub.directory().toString())
            .contains("models--acme--minilm")
            .contains("snapshots");
        assertThat(fromHub.toString()).isEqualTo(bundled.toString());
        float[][] got = fromHub.encode(texts);
        for (int i = 0; i < texts.size(); i++) {
          assertThat(got[i]).containsExactly(expected[i], within(0f));
        }
      }
      hub.clearRequests();
      LoadOptions offline = LoadOptions.builder().cacheDir(cache).offline(true).build();
      try (SentenceTransformer cached = SentenceTransformer.load("acme/minilm@main", offline)) {
        assertThat(cached.encode(texts.get(0))).containsExactly(expected[0], within(0f));
      }
      assertThat(hub.requests()).isEmpty();
    }
  }

  @Test
  void aRepoWithoutOnnxExportSaysHowToExportOne(@TempDir Path cache) {
    try (FakeHub hub = FakeHub.start()) {
      hub.repo("acme/pytorch-only")
          .file("modules.json", FakeHub.MODULES_JSON)
          .file("config.json", FakeHub.CONFIG_JSON)
          .file("model.safetensors", new byte[] {1, 2, 3})
          .push();
      LoadOptions online =
          LoadOptions.builder().baseUrl(hub.endpoint()).cacheDir(cache).offline(false).build();
      assertThatThrownBy(() -> SentenceTransformer.load("acme/pytorch-only", online))
          .isInstanceOf(JembedException.class)
          .hasMessageContaining("optimum-cli export onnx");
    }
  }

  @Test
  void offlineWithNothingCachedSaysSo(@TempDir Path cache) {
    LoadOptions offline = LoadOptions.builder().cacheDir(cache).offline(true).build();
    assertThatThrownBy(() -> SentenceTransformer.load("acme/never-downloaded", offline))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("acme/never-downloaded")
        .hasMessageContaining("offline");
  }
}
