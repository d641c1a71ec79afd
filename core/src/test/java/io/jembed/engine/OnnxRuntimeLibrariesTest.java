package io.jembed.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeLibrariesTest {

  @Test
  void theLibrariesAreExtractedOnceAndMatchTheJar(@TempDir Path cache) throws Exception {
    Path dir = OnnxRuntimeLibraries.cachedCopy(cache);
    assertThat(dir).isNotNull().startsWith(cache.resolve("native"));
    String platform = OnnxRuntimeLibraries.platform();
    for (String library : new String[] {"onnxruntime", "onnxruntime4j_jni"}) {
      String name = System.mapLibraryName(library).replace("jnilib", "dylib");
      try (InputStream in =
          getClass().getResourceAsStream("/ai/onnxruntime/native/" + platform + "/" + name)) {
        assertThat(Files.readAllBytes(dir.resolve(name))).isEqualTo(in.readAllBytes());
      }
    }
    FileTime written = Files.getLastModifiedTime(dir.resolve(".complete"));
    assertThat(OnnxRuntimeLibraries.cachedCopy(cache)).isEqualTo(dir);
    assertThat(Files.getLastModifiedTime(dir.resolve(".complete"))).isEqualTo(written);
    try (var entries = Files.list(cache.resolve("native"))) {
      assertThat(entries.toList()).as("no temporary folder left").containsExactly(dir);
    }
  }

  @Test
  void loadingAModelUsesTheCachedCopy() {
    // the first load in this JVM may have come from another test; either way ONNX Runtime is told
    // where the cached copy is unless the property was set before
    try (var model =
        io.jembed.SentenceTransformer.load(
            "all-MiniLM-L6-v2-int8",
            io.jembed.LoadOptions.builder().property("workers", "1").build())) {
      model.encode("hello");
    }
    String path = System.getProperty(OnnxRuntimeLibraries.NATIVE_PATH_PROPERTY);
    assertThat(path).isNotNull();
    assertThat(Path.of(path).resolve(".complete")).exists();
  }
}
