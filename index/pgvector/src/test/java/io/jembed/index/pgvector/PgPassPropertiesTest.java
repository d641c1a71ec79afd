package io.jembed.index.pgvector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/** Any host, database, user and password, escaped as libpq's rules say, is found again. */
class PgPassPropertiesTest {

  /**
   * A field escaped for a password file: {@code \} and {@code :}, a literal {@code *}, and a
   * leading {@code #} (which would make the line a comment).
   */
  private static String escape(String field) {
    String e = field.replace("\\", "\\\\").replace(":", "\\:");
    return e.equals("*") || e.startsWith("#") ? "\\" + e : e;
  }

  @Property(tries = 300)
  void escapedFieldsMatchExactlyAndGiveThePasswordBack(
      @ForAll
          @StringLength(min = 1, max = 12)
          @Chars({':', '\\', '*', '#', ' '})
          @CharRange(from = 'a', to = 'e')
          String host,
      @ForAll @IntRange(min = 1, max = 65535) int port,
      @ForAll
          @StringLength(min = 1, max = 12)
          @Chars({':', '\\', '*'})
          @CharRange(from = 'a', to = 'e')
          String database,
      @ForAll
          @StringLength(min = 1, max = 12)
          @Chars({':', '\\', '*', '@'})
          @CharRange(from = 'a', to = 'e')
          String user,
      @ForAll
          @StringLength(min = 0, max = 16)
          @Chars({':', '\\', '*', '#', ' '})
          @CharRange(from = 'a', to = 'z')
          String password) {
    Path file = null;
    try {
      file = Files.createTempFile("pgpass", "");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      String line =
          String.join(":", escape(host), Integer.toString(port), escape(database), escape(user))
              + ":"
              + password.replace("\\", "\\\\");
      // a line for another user first: only the exact user matches it
      Files.writeString(
          file,
          "#" + line + "\n" + escape(host) + ":*:*:" + escape(user + "x") + ":no\n" + line + "\n");
      assertThat(PgPass.find(file, host, port, database, user).password()).isEqualTo(password);
      assertThat(PgPass.find(file, host + "x", port, database, user).password()).isNull();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        file.toFile().delete();
      }
    }
  }
}
