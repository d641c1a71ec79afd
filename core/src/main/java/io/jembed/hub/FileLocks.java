package io.jembed.hub;

import io.jembed.JembedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive locks on a path, across threads (an in-memory lock) and across processes (a file lock),
 * so two loaders never write the same download at once.
 */
final class FileLocks {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private FileLocks() {}

  /** Held until closed; the in-JVM part only (for callers that need no lock file). */
  static Held lockInJvm(Path key) {
    ReentrantLock lock =
        IN_JVM.computeIfAbsent(key.toAbsolutePath().normalize(), k -> new ReentrantLock());
    lock.lock();
    return new Held(lock, null, null);
  }

  /** Held until closed: the in-JVM lock for {@code lockFile}, then a file lock on it. */
  static Held lock(Path lockFile) {
    Held inJvm = lockInJvm(lockFile);
    try {
      Files.createDirectories(lockFile.getParent());
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new Held(inJvm.lock, channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      inJvm.close();
      throw new JembedException("cannot lock " + lockFile + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      inJvm.close();
      throw e;
    }
  }

  /** A held lock. */
  static final class Held implements AutoCloseable {
    private final ReentrantLock lock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private Held(ReentrantLock lock, FileChannel channel, FileLock fileLock) {
      this.lock = lock;
      this.channel = channel;
      this.fileLock = fileLock;
    }

    @Override
    public void close() {
      try {
        if (fileLock != null) {
          fileLock.release();
        }
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // the lock dies with the channel anyway
      } finally {
        lock.unlock();
      }
    }
  }
}
