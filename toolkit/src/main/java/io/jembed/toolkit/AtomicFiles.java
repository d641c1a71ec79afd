package io.jembed.toolkit;

import io.jembed.JembedException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes files all at once: to a temporary file beside the target, then moved into place. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes to a stream and may fail with an I/O error. */
  @FunctionalInterface
  public interface StreamWriter {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code target} through {@code writer}; on any failure the target is left as it was and
   * the temporary file is removed.
   */
  public static void write(Path target, StreamWriter writer) {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Path temp = null;
    try {
      Files.createDirectories(dir);
      temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
      shareLikeAnOrdinaryFile(temp, absolute);
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
        writer.write(out);
      }
      try {
        Files.move(
            temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      throw new JembedException("cannot write " + target + ": " + describe(e), e);
    } catch (UncheckedIOException e) {
      throw new JembedException("cannot write " + target + ": " + describe(e.getCause()), e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // best effort: a stray temp file is harmless
        }
      }
    }
  }

  /** Temp files are created owner-only; the result should look like any file the user writes. */
  private static void shareLikeAnOrdinaryFile(Path temp, Path target) throws IOException {
    if (!temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Set<PosixFilePermission> perms =
        Files.exists(target)
            ? Files.getPosixFilePermissions(target)
            : PosixFilePermissions.fromString("rw-r--r--");
    Files.setPosixFilePermissions(temp, perms);
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
  }
}
