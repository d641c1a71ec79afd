package io.jembed.index.pgvector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.index.StoreLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A location's parameters and credentials, as libpq would read them. */
class PgSettingsTest {
  @TempDir Path tmp;

  private static StoreLocation.Postgres location(String text) {
    return (StoreLocation.Postgres) StoreLocation.parse(text);
  }

  @Test
  void userFromTheLocationElsePguserAndPasswordFromPgpasswordElseThePasswordFile()
      throws IOException {
    Path pass = tmp.resolve("pass");
    Files.writeString(pass, "db.local:5432:shop:*:from-file\n");
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
    Map<String, String> env = Map.of("PGUSER", "carol", "PGPASSFILE", pass.toString());

    PgSettings s = PgSettings.of(location("postgresql://db.local/shop?table=docs"), env);
    assertThat(s.user()).isEqualTo("carol");
    assertThat(s.password()).isEqualTo("from-file");
    assertThat(s.toString()).doesNotContain("from-file");

    s = PgSettings.of(location("postgresql://dave@db.local/shop?table=docs"), env);
    assertThat(s.user()).isEqualTo("dave");
    assertThat(s.password()).isEqualTo("from-file");

    s =
        PgSettings.of(
            location("postgresql://db.local/shop?table=docs"),
            Map.of("PGUSER", "carol", "PGPASSFILE", pass.toString(), "PGPASSWORD", "from-env"));
    assertThat(s.password()).isEqualTo("from-env");

    s = PgSettings.of(location("postgresql://db.local:6000/shop?table=docs"), env);
    assertThat(s.password()).isNull(); // another port: no line matches
  }

  @Test
  void parametersAreCheckedAndPassedOn() {
    PgSettings s =
        PgSettings.of(
            location(
                "postgresql://h/db?table=t&connect_timeout=3&statement_timeout=5min&sslmode=require"
                    + "&options=-c%20work_mem%3D64MB&application_name=search"),
            Map.of());
    assertThat(s.connectTimeoutSeconds()).isEqualTo(3);
    assertThat(s.serverOptions()).isEqualTo("-c statement_timeout=5min -c work_mem=64MB");
    assertThat(s.ssl()).containsEntry("sslmode", "require");
    assertThat(s.applicationName()).isEqualTo("search");
    assertThat(s.address()).isEqualTo("h:5432");

    PgSettings defaults = PgSettings.of(location("postgresql://[::1]:5433/db?table=t"), Map.of());
    assertThat(defaults.connectTimeoutSeconds()).isEqualTo(10);
    assertThat(defaults.serverOptions()).isEqualTo("-c statement_timeout=60s");
    assertThat(defaults.address()).isEqualTo("[::1]:5433");

    assertThatThrownBy(() -> PgSettings.of(location("postgresql://h/db?table=t&pool=3"), Map.of()))
        .hasMessageStartingWith("PostgreSQL location parameter 'pool' is not supported here: use")
        .hasMessageContaining("connect_timeout");
    assertThatThrownBy(
            () -> PgSettings.of(location("postgresql://h/db?table=t&connect_timeout=0"), Map.of()))
        .hasMessageContaining("connect_timeout must be a whole number of seconds");
    assertThatThrownBy(
            () ->
                PgSettings.of(
                    location("postgresql://h/db?table=t&statement_timeout=soon"), Map.of()))
        .hasMessageContaining("statement_timeout must be a duration");
  }
}
