package io.jembed.explore;

import io.jembed.JembedException;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.model.BundledModels;
import io.jembed.plot.Projection;
import io.jembed.plot.ProjectionMethod;
import io.jembed.plot.ProjectionOptions;
import io.jembed.plot.Projector;
import io.jembed.server.ApiException;
import io.jembed.server.CollectionSnapshot;
import io.jembed.toolkit.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * 2-D layouts of collections, computed by the plot module and kept beside the collection: in {@code
 * explore-maps/} inside the index folder when it is writable, else in jembed's cache. A layout's
 * file is named by the collection's content version and the method, so a changed index gets a new
 * one and an unchanged one is read back, not computed again. A layout being computed is computed
 * once however many requests ask for it.
 */
final class MapCache {
  /** Where layouts go when the index folder is not writable (or the index is not a folder). */
  private final Path fallback;

  private final Map<String, CompletableFuture<float[]>> layouts = new ConcurrentHashMap<>();

  MapCache(Path fallback) {
    this.fallback = fallback;
  }

  static MapCache inJembedCache() {
    return new MapCache(BundledModels.cacheRoot().resolve("explore-maps"));
  }

  /** A computed or read layout: x,y per point, and whether it was there already. */
  record Layout(float[] xy, boolean cached) {}

  /** Seed of every layout: the same collection gives the same map. */
  static final long SEED = 42;

  Layout layout(VectorStore store, CollectionSnapshot collection, ProjectionMethod method) {
    String key =
        collection.version().substring(0, 32) + "-" + method.name().toLowerCase(Locale.ROOT);
    CompletableFuture<float[]> mine = new CompletableFuture<>();
    CompletableFuture<float[]> existing = layouts.putIfAbsent(key, mine);
    if (existing != null) {
      return new Layout(join(existing, key), true);
    }
    try {
      Path file = directory(store).resolve(key + ".f32");
      float[] xy = read(file, collection.size());
      boolean cached = xy != null;
      if (xy == null) {
        xy = project(collection, method);
        write(file, xy);
      }
      mine.complete(xy);
      return new Layout(xy, cached);
    } catch (RuntimeException | Error e) {
      layouts.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private static float[] join(CompletableFuture<float[]> f, String key) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private static float[] project(CollectionSnapshot collection, ProjectionMethod method) {
    if (collection.size() < Projector.MIN_POINTS) {
      throw ApiException.invalid(
          "a map needs at least "
              + Projector.MIN_POINTS
              + " chunks; the index has "
              + collection.size());
    }
    Projection p;
    try {
      p =
          Projector.project(
              collection.vectors(),
              ProjectionOptions.builder()
                  .method(method)
                  .seed(SEED)
                  .threads(Runtime.getRuntime().availableProcessors())
                  .build());
    } catch (JembedException e) {
      throw ApiException.invalid(e.getMessage());
    }
    float[] xy = new float[collection.size() * 2];
    for (int i = 0; i < collection.size(); i++) {
      xy[2 * i] = (float) p.x(i);
      xy[2 * i + 1] = (float) p.y(i);
    }
    return xy;
  }

  private Path directory(VectorStore store) {
    // a store opened to search only may still have a folder we can write beside the index
    if (store.location() instanceof StoreLocation.Folder folder
        && Files.isWritable(folder.path())) {
      return folder.path().resolve("explore-maps");
    }
    return fallback;
  }

  private static float[] read(Path file, int points) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) != (long) points * 8) {
        return null;
      }
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
      float[] xy = new float[points * 2];
      b.asFloatBuffer().get(xy);
      return xy;
    } catch (IOException e) {
      return null; // computed again
    }
  }

  private static void write(Path file, float[] xy) {
    try {
      AtomicFiles.write(file, out -> out.write(littleEndian(xy)));
    } catch (RuntimeException e) {
      // a map that cannot be kept is still served; it is computed again next time
      System.getLogger(MapCache.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "cannot keep the map in " + file + ": " + e.getMessage());
    }
  }

  static byte[] littleEndian(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }
}
