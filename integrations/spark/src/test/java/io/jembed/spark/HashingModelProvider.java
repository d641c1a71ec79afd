package io.jembed.spark;

import io.jembed.EmbeddingModel;
import io.jembed.LoadOptions;
import io.jembed.spi.EmbeddingModelProvider;
import io.jembed.testing.HashingModel;
import java.util.Set;

/**
 * Makes core's deterministic test model loadable by name on executors ({@code hashing:NAME}), for
 * tests of the Spark machinery where the real model's speed is not the point.
 */
public final class HashingModelProvider implements EmbeddingModelProvider {
  static final int DIMENSION = 64;

  @Override
  public Set<String> schemes() {
    return Set.of("hashing");
  }

  @Override
  public EmbeddingModel load(String scheme, String model, LoadOptions options) {
    return new HashingModel(model, DIMENSION, 128);
  }
}
