package io.jembed.index.lucene;

import io.jembed.JembedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * Damage found, named and explained. Every Lucene file ends with a CRC32 of its contents: on open,
 * the files of the latest commit up to {@link #VERIFY_ON_OPEN_BYTES} are read whole and checked
 * (larger ones get their footer checked, which catches truncation); {@code jembed index check}
 * verifies every file with Lucene's CheckIndex. A read that fails in any other way (an index out of
 * bounds deep in a codec) verifies every checksum to name the damaged file.
 */
final class LuceneIntegrity {
  /** Files up to this size are checksummed whenever the index opens (16 MiB). */
  static final long VERIFY_ON_OPEN_BYTES = 16L << 20;

  private static final Pattern FILE = Pattern.compile("(_[a-z0-9]+[\\w]*\\.\\w+|segments_\\w+)");

  private LuceneIntegrity() {}

  /** Checksums the commit's files up to {@code limit} bytes each; footers of the others. */
  static void verifyOnOpen(Path path, Directory dir, long limit) {
    try {
      for (String file : SegmentInfos.readLatestCommit(dir).files(true)) {
        try (IndexInput in = dir.openInput(file, IOContext.READONCE)) {
          if (in.length() <= limit) {
            CodecUtil.checksumEntireFile(in);
          } else {
            CodecUtil.retrieveChecksum(in, in.length());
          }
        } catch (IOException | RuntimeException e) {
          throw damaged(path, file, e);
        }
      }
    } catch (IOException e) {
      throw new JembedException(
          "index at " + path + " is damaged or unreadable: " + firstLine(e.getMessage()), e);
    }
  }

  /** The first file of the latest commit whose checksum fails, and why, or null if none does. */
  static String[] findDamagedFile(Directory dir) {
    try {
      for (String file : SegmentInfos.readLatestCommit(dir).files(true)) {
        try (IndexInput in = dir.openInput(file, IOContext.READONCE)) {
          CodecUtil.checksumEntireFile(in);
        } catch (IOException | RuntimeException e) {
          return new String[] {file, reason(e)};
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      String file = fileIn(e);
      return new String[] {file == null ? "segments" : file, reason(e)};
    }
  }

  /**
   * The error for a read that failed: damage (the file named) if a checksum fails, else the failure
   * itself.
   */
  static RuntimeException readFailure(Path path, Directory dir, String action, Throwable e) {
    if (e instanceof JembedException je) {
      return je;
    }
    if (e instanceof AlreadyClosedException) {
      return new JembedException("index at " + path + " is closed", e);
    }
    if (e instanceof org.apache.lucene.search.IndexSearcher.TooManyClauses) {
      return new IllegalArgumentException(
          "the filter is too large for one search (more than "
              + org.apache.lucene.search.IndexSearcher.getMaxClauseCount()
              + " clauses)",
          e);
    }
    String[] damaged = findDamagedFile(dir);
    if (damaged != null) {
      return damaged(path, damaged[0], e, damaged[1]);
    }
    return new JembedException(
        "cannot "
            + action
            + " index at "
            + path
            + ": "
            + describe(e)
            + " (every file's checksum matches; `jembed index check "
            + path
            + "` verifies the rest)",
        e);
  }

  static JembedException damaged(Path path, String file, Throwable e) {
    return damaged(path, file, e, reason(e));
  }

  private static JembedException damaged(Path path, String file, Throwable e, String reason) {
    return new JembedException(
        "index at " + path + " is damaged: file " + file + " " + reason + ". " + whatToDo(path), e);
  }

  static String whatToDo(Path path) {
    return "Restore the index from a backup, or rebuild it from its stored texts with `jembed"
        + " index reindex "
        + path
        + " --model NAME`";
  }

  /** Lucene's CheckIndex over every file: the problems found, each naming segment and file. */
  static List<String> checkIndex(Path path, Directory dir) {
    List<String> problems = new ArrayList<>();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (CheckIndex checker = new CheckIndex(dir)) { // takes the write lock: no writer meanwhile
      checker.setLevel(CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS);
      checker.setInfoStream(new PrintStream(log, true, StandardCharsets.UTF_8));
      CheckIndex.Status status = checker.checkIndex();
      if (status.missingSegments) {
        problems.add("the commit (segments file) cannot be read");
      }
      for (CheckIndex.Status.SegmentInfoStatus segment : status.segmentInfos) {
        if (segment.error != null) {
          String file = fileIn(segment.error);
          problems.add(
              "segment "
                  + segment.name
                  + (file == null ? "" : ", file " + file)
                  + ": "
                  + describe(segment.error));
        }
      }
      if (!status.clean && problems.isEmpty()) {
        problems.add(
            "Lucene's CheckIndex reports problems: "
                + lastLines(log.toString(StandardCharsets.UTF_8)));
      }
    } catch (LockObtainFailedException e) {
      throw new JembedException(
          "index at " + path + " is being written by another process: check it when it is done", e);
    } catch (IOException | RuntimeException e) {
      String file = fileIn(e);
      problems.add((file == null ? "" : "file " + file + ": ") + describe(e));
    }
    return problems;
  }

  /** "fails its checksum", "is cut short", or what the reader said. */
  private static String reason(Throwable e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("checksum failed")) {
      return "fails its checksum";
    }
    if (e instanceof java.io.EOFException || message.contains("read past EOF")) {
      return "is cut short";
    }
    if (e instanceof java.nio.file.NoSuchFileException
        || e instanceof java.io.FileNotFoundException) {
      return "is missing";
    }
    if (e instanceof CorruptIndexException) {
      return "is corrupt (" + firstLine(message) + ")";
    }
    return "cannot be read (" + describe(e) + ")";
  }

  /** The Lucene file an exception names, if any. */
  static String fileIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m == null) {
        continue;
      }
      int resource = m.indexOf("resource=");
      Matcher f = FILE.matcher(resource >= 0 ? m.substring(resource) : m);
      String last = null;
      while (f.find()) {
        last = f.group(1);
      }
      if (last != null) {
        return last;
      }
    }
    return null;
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + firstLine(m));
  }

  static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }

  private static String lastLines(String log) {
    String[] lines = log.strip().split("\n");
    return String.join(
            " / ", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 3), lines.length))
        .trim();
  }
}
