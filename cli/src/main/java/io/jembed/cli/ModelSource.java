package io.jembed.cli;

import io.jembed.EmbeddingModel;
import java.lang.reflect.Method;

/** Where a local model was loaded from, as far as the engine tells. */
final class ModelSource {
  private ModelSource() {}

  /**
   * "bundled: /home/me/.cache/jembed/models/..." for a SentenceTransformer; it exposes {@code
   * source()} and {@code directory()}. Looked up reflectively so that other EmbeddingModel
   * implementations (and older engines) simply report "unknown".
   */
  static String describe(EmbeddingModel model) {
    Object source = call(model, "source");
    Object directory = call(model, "directory");
    if (directory == null) {
      return source == null ? "unknown" : source.toString();
    }
    return source == null ? directory.toString() : source + ": " + directory;
  }

  private static Object call(Object target, String name) {
    try {
      Method m = target.getClass().getMethod(name);
      return m.getParameterCount() == 0 ? m.invoke(target) : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
