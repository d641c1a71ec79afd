package io.jembed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness end to end: the PostgreSQL that ./test-all starts has pgvector 0.8 and answers. */
@RequiresServers(TestServer.POSTGRES)
class PostgresServerTest {
  @Test
  void pgvectorOrdersByDistanceThroughAnHnswIndex(TestServers.Postgres postgres)
      throws SQLException {
    try (Connection connection = postgres.connect();
        Statement sql = connection.createStatement()) {
      sql.execute("CREATE EXTENSION IF NOT EXISTS vector");
      sql.execute("CREATE TEMPORARY TABLE items (id int PRIMARY KEY, embedding vector(3))");
      sql.execute("INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.9,0.1,0]')");
      sql.execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)");

      List<Integer> nearest = new ArrayList<>();
      try (ResultSet rows =
          sql.executeQuery("SELECT id FROM items ORDER BY embedding <-> '[1,0,0]' LIMIT 2")) {
        while (rows.next()) {
          nearest.add(rows.getInt(1));
        }
      }
      assertThat(nearest).containsExactly(1, 3);

      try (ResultSet version =
          sql.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'vector'")) {
        assertThat(version.next()).isTrue();
        assertThat(version.getString(1)).startsWith("0.8");
      }
    }
  }
}
