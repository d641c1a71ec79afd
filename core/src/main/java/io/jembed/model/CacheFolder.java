package io.jembed.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.UUID;
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
   * Builds {@code dir} unless it is complete already. When another thread or process completes it
   * first, theirs is kept (it is as good as ours); an incomplete leftover is replaced.
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
      moveIntoPlace(tmp, dir);
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * Moves the finished {@code tmp} to {@code dir}. A rename onto an existing folder fails: on Linux
   * with a plain FileSystemException ("Directory not empty") rather than one of its named
   * subclasses, so any failure while {@code dir} exists is taken as a race. When {@code dir} is
   * then complete, another writer won; when it is an incomplete leftover, it is moved aside
   * (atomically, so a concurrent writer never loses a folder it completed) and deleted, and the
   * move is tried again.
   */
  private static void moveIntoPlace(Path tmp, Path dir) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return;
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir);
        return;
      } catch (FileSystemException e) {
        if (isComplete(dir)) {
          return; // another thread or process won
        }
        if ((attempt > 1 && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) || attempt == 5) {
          throw e; // not a race: the move itself fails
        }
        discardLeftover(dir);
      }
    }
  }

  /** Moves an incomplete {@code dir} out of the way, then deletes it. */
  private static void discardLeftover(Path dir) throws IOException {
    Path aside = dir.resolveSibling(".old-" + dir.getFileName() + "-" + UUID.randomUUID());
    try {
      Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException gone) {
      return; // another writer removed it first
    }
    if (isComplete(aside)) {
      // completed between our check and the move: put it back unless a new one is there
      try {
        Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
        return;
      } catch (FileSystemException taken) {
        // dir holds another writer's folder now: ours was as good, drop it
      }
    }
    deleteTree(aside);
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
