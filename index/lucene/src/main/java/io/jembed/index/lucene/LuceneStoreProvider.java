package io.jembed.index.lucene;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.StoreCheck;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.spi.VectorStoreProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Serves folder locations with {@link LuceneVectorStore}. */
public final class LuceneStoreProvider implements VectorStoreProvider {

  @Override
  public String scheme() {
    return "folder";
  }

  @Override
  public VectorStore create(
      StoreLocation location, IndexMetadata metadata, EmbeddingModel model, IndexOptions options) {
    return LuceneVectorStore.create(path(location), metadata, model, options.ramBufferMb());
  }

  @Override
  public VectorStore open(StoreLocation location, EmbeddingModel model, boolean readOnly) {
    return readOnly
        ? LuceneVectorStore.openReadOnly(path(location), model)
        : LuceneVectorStore.open(path(location), model);
  }

  @Override
  public IndexMetadata describe(StoreLocation location) {
    return LuceneVectorStore.readMetadata(path(location));
  }

  @Override
  public boolean exists(StoreLocation location) {
    Path p = path(location);
    if (!Files.isDirectory(p)) {
      return Files.exists(p);
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      throw new JembedException("cannot read folder " + p + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void drop(StoreLocation location) {
    deleteTree(path(location));
  }

  /** Swaps the folders: the old one is moved aside first, then removed. */
  @Override
  public void replace(StoreLocation replacement, StoreLocation location) {
    Path fresh = path(replacement);
    Path target = path(location).toAbsolutePath().normalize();
    Path retired = path(location.sibling("old"));
    deleteTree(retired);
    try {
      Files.move(target, retired, StandardCopyOption.ATOMIC_MOVE);
      Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new JembedException(
          "the new index is ready in " + fresh + " but could not replace " + target + ": " + e, e);
    }
    deleteTree(retired);
  }

  @Override
  public StoreCheck check(StoreLocation location) {
    return LuceneVectorStore.check(path(location));
  }

  private static Path path(StoreLocation location) {
    if (location instanceof StoreLocation.Folder f) {
      return f.path();
    }
    throw new IllegalArgumentException(location + " is not a folder");
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    } catch (IOException e) {
      throw new JembedException("cannot remove " + p + ": " + e.getMessage(), e);
    }
  }
}
