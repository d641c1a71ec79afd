package io.jembed.spi;

import io.jembed.EmbeddingModel;
import io.jembed.LoadOptions;
import io.jembed.SentenceTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plugs a family of models into {@link EmbeddingModel#load(String)}: a provider owns the names that
 * start with one of its schemes ({@code openai:text-embedding-3-small}). Register implementations
 * in {@code META-INF/services/io.jembed.spi.EmbeddingModelProvider}.
 */
public interface EmbeddingModelProvider {

  /** The prefixes this provider answers to, without the colon ("openai", "voyage"). */
  Set<String> schemes();

  /**
   * Loads {@code model}, the part after "scheme:".
   *
   * @param scheme the scheme used (one of {@link #schemes()})
   */
  EmbeddingModel load(String scheme, String model, LoadOptions options);

  /** Finds the provider for a name with a scheme, else loads a local model. */
  static EmbeddingModel resolve(String name, LoadOptions options) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    int colon = name.indexOf(':');
    // "C:\models" is a Windows path, not a scheme
    if (colon > 1) {
      String scheme = name.substring(0, colon).toLowerCase(Locale.ROOT);
      Set<String> known = new TreeSet<>();
      for (EmbeddingModelProvider p : providers()) {
        if (p.schemes().contains(scheme)) {
          return p.load(scheme, name.substring(colon + 1), options);
        }
        known.addAll(p.schemes());
      }
      if (scheme.matches("[a-z][a-z0-9-]*")) {
        throw new IllegalArgumentException(
            "no provider for model '"
                + name
                + "'"
                + (known.isEmpty()
                    ? ": hosted models need jembed-hosted on the class path"
                    : ": known providers are " + String.join(", ", known)));
      }
    }
    return SentenceTransformer.load(name, options);
  }

  private static List<EmbeddingModelProvider> providers() {
    List<EmbeddingModelProvider> list = new ArrayList<>();
    ServiceLoader.load(EmbeddingModelProvider.class).forEach(list::add);
    return list;
  }
}
