package io.jembed.index.pgvector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The password file read by libpq's rules. */
class PgPassTest {
  @TempDir Path tmp;

  private Path file(String content, String permissions) throws IOException {
    Path f = tmp.resolve("pgpass-" + content.hashCode());
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(permissions));
    return f;
  }

  private static String password(Path f, String host, int port, String db, String user) {
    return PgPass.find(f, host, port, db, user).password();
  }

  @Test
  void theFirstMatchingLineWinsAndStarsMatchAnything() throws IOException {
    Path f =
        file(
            """
            # comment: db1.example.com:5432:*:*:nope
            db.example.com:5432:sales:alice:first
            db.example.com:5432:*:alice:second
            *:*:*:bob:third
            *:5433:*:*:fourth
            """,
            "rw-------");
    assertThat(password(f, "db.example.com", 5432, "sales", "alice")).isEqualTo("first");
    assertThat(password(f, "db.example.com", 5432, "hr", "alice")).isEqualTo("second");
    assertThat(password(f, "other", 1, "x", "bob")).isEqualTo("third");
    assertThat(password(f, "other", 5433, "x", "carol")).isEqualTo("fourth");
    assertThat(password(f, "other", 5432, "x", "carol")).isNull();
    assertThat(password(f, "db1.example.com", 5432, "x", "carol")).isNull(); // a comment
  }

  @Test
  void backslashEscapesColonsAndBackslashesAndTheRestOfTheLineIsThePassword() throws IOException {
    Path f =
        file(
            "h\\:1:5432:db\\\\x:u:pa\\:ss\\\\word\n"
                + "h2:5432:db:u:with:colons:inside\r\n"
                + "\\*:5432:db:u:escaped-star\n"
                + "short:line\n",
            "rw-------");
    assertThat(password(f, "h:1", 5432, "db\\x", "u")).isEqualTo("pa:ss\\word");
    assertThat(password(f, "h2", 5432, "db", "u")).isEqualTo("with:colons:inside");
    assertThat(password(f, "*", 5432, "db", "u")).isEqualTo("escaped-star");
    assertThat(password(f, "anyhost", 5432, "db", "u")).isNull(); // \* is a star, not a wildcard
  }

  @Test
  void aFileOthersMayReadIsIgnoredWithAWarning() throws IOException {
    Path f = file("*:*:*:*:secret\n", "rw-r--r--");
    PgPass.Lookup found = PgPass.find(f, "h", 5432, "db", "u");
    assertThat(found.password()).isNull();
    assertThat(found.warning()).contains("group or world access").contains("0600");
    assertThat(found.toString()).doesNotContain("secret");
    assertThat(PgPass.find(file("*:*:*:*:secret\n", "rw-rw----"), "h", 5432, "db", "u").password())
        .isNull();
    assertThat(PgPass.find(file("*:*:*:*:secret\n", "r--------"), "h", 5432, "db", "u").password())
        .isEqualTo("secret");
    assertThat(PgPass.find(tmp, "h", 5432, "db", "u").warning()).contains("not a plain file");
    assertThat(PgPass.find(tmp.resolve("none"), "h", 5432, "db", "u"))
        .isEqualTo(new PgPass.Lookup(null, null));
  }

  @Test
  void theFileIsThePassfileParameterElsePgpassfileElseHomePgpass() {
    Map<String, String> env = Map.of("PGPASSFILE", "/etc/pg/pass", "HOME", "/home/me");
    assertThat(PgPass.file("/run/p", env)).isEqualTo(Path.of("/run/p"));
    assertThat(PgPass.file(null, env)).isEqualTo(Path.of("/etc/pg/pass"));
    assertThat(PgPass.file(null, Map.of("HOME", "/home/me")))
        .isEqualTo(Path.of("/home/me/.pgpass"));
  }
}
