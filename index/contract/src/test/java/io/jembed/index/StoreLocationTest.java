package io.jembed.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.JembedException;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class StoreLocationTest {
  @Test
  void aPathIsAFolder() {
    assertThat(StoreLocation.parse("my-index"))
        .isEqualTo(new StoreLocation.Folder(Path.of("my-index")));
    assertThat(StoreLocation.parse("/data/idx")).isEqualTo(StoreLocation.of(Path.of("/data/idx")));
    assertThat(StoreLocation.parse("notes:2024"))
        .isEqualTo(StoreLocation.of(Path.of("notes:2024")));
    assertThat(StoreLocation.parse("file:///data/idx"))
        .isEqualTo(StoreLocation.of(Path.of("/data/idx")));
    assertThat(StoreLocation.parse("my-index").toString()).isEqualTo("my-index");
  }

  @Test
  void postgresqlFollowsLibpqsUriForm() {
    StoreLocation.Postgres pg =
        (StoreLocation.Postgres)
            StoreLocation.parse(
                "postgresql://alice@db.example:6543/docs?table=chunks&sslmode=require");
    assertThat(pg.user()).isEqualTo("alice");
    assertThat(pg.host()).isEqualTo("db.example");
    assertThat(pg.port()).isEqualTo(6543);
    assertThat(pg.database()).isEqualTo("docs");
    assertThat(pg.table()).isEqualTo("chunks");
    assertThat(pg.parameters()).containsExactly(Map.entry("sslmode", "require"));
    assertThat(pg.toString())
        .isEqualTo("postgresql://alice@db.example:6543/docs?table=chunks&sslmode=require");
    assertThat(StoreLocation.parse(pg.toString())).isEqualTo(pg);
    assertThat(pg.sibling("reindex").table()).isEqualTo("chunks_reindex");
    StoreLocation.Postgres plain =
        (StoreLocation.Postgres) StoreLocation.parse("postgres://[::1]/db?table=public.t");
    assertThat(plain.port()).isEqualTo(5432);
    assertThat(plain.host()).isEqualTo("::1");
    assertThat(plain.user()).isNull();
    assertThat(plain.effectiveUser(Map.of("PGUSER", "bob"))).isEqualTo("bob");
    assertThat(plain.toString()).isEqualTo("postgresql://[::1]:5432/db?table=public.t");
  }

  @Test
  void openSearchWithAndWithoutTls() {
    assertThat(StoreLocation.parse("opensearch://localhost:9201/docs"))
        .isEqualTo(new StoreLocation.OpenSearch(false, "localhost", 9201, "docs"));
    assertThat(StoreLocation.parse("opensearch+https://search.example/docs"))
        .isEqualTo(new StoreLocation.OpenSearch(true, "search.example", 9200, "docs"));
    assertThat(StoreLocation.parse("opensearch+https://search.example/docs").toString())
        .isEqualTo("opensearch+https://search.example:9200/docs");
  }

  @Test
  void passwordsAreRefusedWithoutBeingRepeated() {
    for (String location :
        new String[] {
          "postgresql://alice:s3cr%2Ft@host/db?table=t",
          "postgresql://alice:s3cr/t@host/db?table=t",
          "postgresql://alice:s3cr@t@host:5432/db?table=t",
          "postgresql://host/db?table=t&password=s3cr"
        }) {
      assertThatThrownBy(() -> StoreLocation.parse(location))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("PGPASSWORD")
          .hasMessageContaining("~/.pgpass")
          .message()
          .doesNotContain("s3cr");
    }
    assertThatThrownBy(() -> StoreLocation.parse("opensearch://admin:s3cr@host:9200/docs"))
        .hasMessageContaining("OPENSEARCH_PASSWORD")
        .message()
        .doesNotContain("s3cr");
  }

  @Test
  void unknownSchemesAndMalformedLocationsAreErrors() {
    assertThatThrownBy(() -> StoreLocation.parse("http://host/idx"))
        .hasMessageStartingWith("unknown index location scheme 'http://'");
    assertThatThrownBy(() -> StoreLocation.parse("elasticsearch://host/idx"))
        .hasMessageContaining("postgresql://");
    assertThatThrownBy(() -> StoreLocation.parse("postgresql://host/db"))
        .hasMessageContaining("add ?table=name");
    assertThatThrownBy(() -> StoreLocation.parse("postgresql://host?table=t"))
        .hasMessageContaining("no database");
    assertThatThrownBy(() -> StoreLocation.parse("postgresql://host:99999/db?table=t"))
        .hasMessageContaining("bad port '99999'");
    assertThatThrownBy(() -> StoreLocation.parse("postgresql://host/db?table=drop;table"))
        .hasMessageContaining("must be letters, digits and '_'");
    assertThatThrownBy(() -> StoreLocation.parse("opensearch://host:9200/Docs"))
        .hasMessageContaining("not allowed");
    assertThatThrownBy(() -> StoreLocation.parse("opensearch://host:9200"))
        .hasMessageContaining("names no index");
    assertThatThrownBy(() -> StoreLocation.parse("postgresql:host/db"))
        .hasMessageContaining("needs '//'");
    assertThatThrownBy(() -> StoreLocation.parse(" ")).hasMessageContaining("empty index location");
  }

  @Test
  void aKindWithoutItsModuleNamesTheModule() {
    assertThatThrownBy(
            () -> VectorStores.describe(StoreLocation.parse("postgresql://h/db?table=t")))
        .isInstanceOf(JembedException.class)
        .hasMessage(
            "postgresql:// locations need the jembed-index-pgvector module on the class path"
                + " (Maven: io.jembed:jembed-index-pgvector)");
    assertThatThrownBy(() -> VectorStores.describe(StoreLocation.parse("opensearch://h/i")))
        .hasMessageContaining("jembed-index-opensearch");
  }

  @Property
  void anyTextIsALocationOrAClearError(@ForAll String text) {
    try {
      StoreLocation l = StoreLocation.parse(text);
      if (!(l instanceof StoreLocation.Folder)) {
        assertThat(StoreLocation.parse(l.toString())).isEqualTo(l);
      }
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Property
  void aPasswordNeverAppearsInAnError(
      @ForAll @AlphaChars @StringLength(min = 4, max = 12) String password,
      @ForAll @StringLength(max = 20) String rest) {
    String secret = "pw" + password;
    for (String location :
        new String[] {
          "postgresql://u:" + secret + "@" + rest, "opensearch://u:" + secret + "@" + rest
        }) {
      try {
        StoreLocation.parse(location);
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).doesNotContain(secret);
      }
    }
  }
}
