package io.jembed.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * A folder in jembed's cache that appears whole or not at all: built in a temporary sibling, marked
 * with a {@code .complete} file, then moved into place. Materialized models, fused graphs and the
 * extracted ONNX Runtime libraries all live in such folders, so a crash or two processes at once
 * never leave a half-written one that looks usable.
 */
public final class CacheFolder {
  private static final String MARKER = ".complete";

  /** Writes the folder's contents into {@code tmp}; returns the text of its marker. */
  @FunctionalInterface
  public interface Contents {
    String writeInto(Path tmp) throws IOException;
  }

  private CacheFolder() {}

  public static boolean isComplete(Path dir) {
    return Files.isRegularFile(dir.resolve(MARKER));
  }

  /** The marker's text (what {@link Contents#writeInto} returned), stripped. */
  public static String marker(Path dir) throws IOException {
    return Files.readString(dir.resolve(MARKER), StandardCharsets.UTF_8).strip();
  }

  /**
   * Builds {@code dir} unless it is complete already. When another process completes it first,
   * theirs is kept (it is as good as ours); an incomplete leftover is replaced.
   */
  public static void create(Path dir, Contents contents) throws IOException {
    if (isComplete(dir)) {
      return;
    }
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), ".tmp-" + dir.getFileName() + "-");
    try {
      String marker = contents.writeInto(tmp);
      Files.writeString(tmp.resolve(MARKER), marker + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
        if (!isComplete(dir)) {
          deleteTree(dir);
          Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        }
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir);
      }
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * A folder name for what {@code identity} describes: 24 hex digits of its SHA-256, so any change
   * to the identity (a rewritten source file, another library version) gets a folder of its own.
   */
  public static String nameFor(String identity) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A file's real path, size and modification time: its identity for {@link #nameFor}. */
  public static String fileStamp(Path file) throws IOException {
    Path real = file.toRealPath();
    return real + "|" + Files.size(real) + "|" + Files.getLastModifiedTime(real).toMillis();
  }

  /**
   * Deletes a folder and everything in it, best effort: leftovers of a temp folder are harmless.
   */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }
}
