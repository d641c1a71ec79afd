package io.jembed.engine;

import io.jembed.EmbeddingModel;
import io.jembed.model.CacheFolder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Points ONNX Runtime at one extracted copy of its native libraries in jembed's cache. Left alone,
 * its Java loader copies about 30 MB into a new /tmp/onnxruntime-java* folder at every start and,
 * deleting on exit in the wrong order, leaves the empty folder behind each time.
 */
public final class OnnxRuntimeLibraries {
  private static final System.Logger LOG = System.getLogger(EmbeddingModel.class.getName());
  static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";
  private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni");
  private static boolean done;

  private OnnxRuntimeLibraries() {}

  /**
   * Before ONNX Runtime's first use: extracts its libraries once into {@code
   * <cacheRoot>/native/onnxruntime-<key>/} and sets {@value #NATIVE_PATH_PROPERTY} (the key covers
   * the jar's path, size and time). Does nothing when that property is already set or when anything
   * fails (ONNX Runtime then loads as it always does); once ONNX Runtime is loaded in the JVM the
   * property no longer matters.
   */
  public static synchronized void prepare(Path cacheRoot) {
    if (done) {
      return;
    }
    done = true;
    if (System.getProperty(NATIVE_PATH_PROPERTY) != null) {
      return;
    }
    try {
      Path dir = cachedCopy(cacheRoot);
      if (dir != null) {
        System.setProperty(NATIVE_PATH_PROPERTY, dir.toString());
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "ONNX Runtime libraries not cached (" + e.getMessage() + "); it extracts them itself",
          e);
    }
  }

  /**
   * The folder holding this ONNX Runtime's libraries under {@code cacheRoot}, extracted on first
   * call; null when the class path carries no libraries for this platform.
   */
  static Path cachedCopy(Path cacheRoot) throws IOException {
    String platform = platform();
    if (platform == null) {
      return null;
    }
    URL first = null;
    StringBuilder identity = new StringBuilder(platform);
    for (String library : LIBRARIES) {
      URL url = resource(platform, library);
      if (url == null) {
        return null; // a jar without bundled libraries (java.library.path setups): leave it be
      }
      first = first == null ? url : first;
      identity.append('|').append(url);
    }
    identity.append('|').append(sourceStamp(first));
    Path dir =
        cacheRoot
            .resolve("native")
            .resolve("onnxruntime-" + CacheFolder.nameFor(identity.toString()));
    CacheFolder.create(
        dir,
        tmp -> {
          for (String library : LIBRARIES) {
            try (InputStream in = resource(platform, library).openStream()) {
              Files.copy(in, tmp.resolve(fileName(library)));
            }
          }
          return platform;
        });
    return dir;
  }

  /** The jar's stamp (path, size, time) when the libraries come from a jar file. */
  private static String sourceStamp(URL url) throws IOException {
    String s = url.toString();
    if (s.startsWith("jar:file:")) {
      try {
        return CacheFolder.fileStamp(Path.of(new java.net.URI(s.substring(4, s.indexOf("!/")))));
      } catch (java.net.URISyntaxException | IllegalArgumentException e) {
        throw new IOException("cannot locate " + s, e);
      }
    }
    return "";
  }

  private static URL resource(String platform, String library) {
    return OnnxRuntimeLibraries.class.getResource(
        "/ai/onnxruntime/native/" + platform + "/" + fileName(library));
  }

  private static String fileName(String library) {
    // as ONNX Runtime's own loader names them
    return System.mapLibraryName(library).replace("jnilib", "dylib");
  }

  /** ONNX Runtime's folder name for this platform (its loader's rule), or null if unknown. */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o =
        os.contains("mac") || os.contains("darwin")
            ? "osx"
            : os.contains("win") ? "win" : os.contains("nux") ? "linux" : null;
    String a =
        arch.startsWith("amd64") || arch.startsWith("x86_64")
            ? "x64"
            : arch.startsWith("aarch64") ? "aarch64" : null;
    return o == null || a == null ? null : o + "-" + a;
  }
}
