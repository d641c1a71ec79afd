package io.jembed.index.pgvector;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.jembed.index.StoreLocation;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Connections to the database of a location: a HikariCP pool for an open store (one connection for
 * the write transaction, the others for searches), or a single connection for a one-off task
 * (describe, drop). Opening checks the server at once, so a server that is down is a clear error
 * naming the store and the address, not a pool that waits.
 */
final class PgDatabase implements AutoCloseable {
  private static final int POOL_SIZE = 8;

  private final PgSettings settings;
  private final HikariDataSource pool;

  private PgDatabase(PgSettings settings, HikariDataSource pool) {
    this.settings = settings;
    this.pool = pool;
  }

  /** The location's settings, with credentials from this process's environment. */
  static PgSettings settings(StoreLocation.Postgres location) {
    return PgSettings.of(location, System.getenv());
  }

  /**
   * A pool for an open store. Its first connection is made at once: a server that is down fails
   * here, clearly.
   */
  static PgDatabase open(PgSettings settings) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(dataSource(settings));
    config.setPoolName("jembed " + settings.location().table());
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(settings.connectTimeoutSeconds() * 1000L + 1000);
    config.setInitializationFailTimeout(1); // one attempt, now
    config.setAutoCommit(true);
    try {
      return new PgDatabase(settings, new HikariDataSource(config));
    } catch (HikariPool.PoolInitializationException e) {
      throw e.getCause() instanceof SQLException cause
          ? PgErrors.of(settings, "connecting", cause)
          : e;
    }
  }

  /** A connection for a one-off task; the caller closes it. */
  static Connection connect(PgSettings settings, String doing) {
    try {
      return dataSource(settings).getConnection();
    } catch (SQLException e) {
      throw PgErrors.of(settings, doing, e);
    }
  }

  private static PGSimpleDataSource dataSource(PgSettings s) {
    StoreLocation.Postgres l = s.location();
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {l.host().contains(":") ? "[" + l.host() + "]" : l.host()});
    ds.setPortNumbers(new int[] {l.port()});
    ds.setDatabaseName(l.database());
    ds.setUser(s.user());
    // always set, even empty: the driver would otherwise read ~/.pgpass by laxer rules than libpq's
    ds.setPassword(s.password() == null ? "" : s.password());
    ds.setConnectTimeout(s.connectTimeoutSeconds());
    ds.setLoginTimeout(s.connectTimeoutSeconds());
    ds.setTcpKeepAlive(true);
    ds.setApplicationName(s.applicationName());
    ds.setOptions(s.serverOptions());
    for (Map.Entry<String, String> e : s.ssl().entrySet()) {
      try {
        ds.setProperty(e.getKey(), e.getValue());
      } catch (SQLException ex) {
        throw new IllegalArgumentException(
            "bad " + e.getKey() + " in PostgreSQL location: " + ex.getMessage());
      }
    }
    return ds;
  }

  PgSettings settings() {
    return settings;
  }

  /** A pooled connection (autocommit on); the caller closes it to give it back. */
  Connection connection(String doing) {
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      throw PgErrors.of(settings, doing, e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
