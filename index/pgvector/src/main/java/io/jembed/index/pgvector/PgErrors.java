package io.jembed.index.pgvector;

import io.jembed.JembedException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/**
 * What went wrong with PostgreSQL, said once for every operation: the index's location, the
 * server's address, what was being done and what to do about it. Never a password: the location has
 * none, and the driver's messages carry none.
 */
final class PgErrors {
  private PgErrors() {}

  /**
   * The error for a failed operation; {@code doing} says what was being done ("writing documents",
   * "searching").
   */
  static JembedException of(PgSettings settings, String doing, SQLException e) {
    return of(settings, doing, false, e);
  }

  /**
   * The error for a failed write: a lost connection also says that the uncommitted writes are gone
   * and that running the ingest again completes it.
   */
  static JembedException ofWrite(PgSettings settings, String doing, SQLException e) {
    return of(settings, doing, true, e);
  }

  private static JembedException of(
      PgSettings settings, String doing, boolean writing, SQLException e) {
    SQLException cause = innermost(e);
    String state = cause.getSQLState() == null ? "" : cause.getSQLState();
    String where = "index at " + settings.location() + ": ";
    String server = "PostgreSQL at " + settings.address();
    String detail = firstLine(cause.getMessage());
    String message;
    if (causedBy(cause, UnknownHostException.class)) {
      message = "cannot reach " + server + ": unknown host '" + settings.location().host() + "'";
    } else if (causedBy(cause, ConnectException.class)
        || causedBy(cause, NoRouteToHostException.class)) {
      message =
          "cannot reach "
              + server
              + " while "
              + doing
              + ": connection refused. Is the server running and listening there?";
    } else if (state.equals("08001") && detail.contains("timed out")
        || causedBy(cause, SocketTimeoutException.class) && state.startsWith("08")) {
      message =
          server
              + " did not answer within "
              + settings.connectTimeoutSeconds()
              + " s while "
              + doing
              + " (connect_timeout="
              + settings.connectTimeoutSeconds()
              + "): the server is down, overloaded or unreachable; a longer wait is"
              + " ?connect_timeout=SECONDS in the location";
    } else if (state.equals("28P01") || state.equals("28000") || state.equals("08004")) {
      boolean none = settings.password() == null || settings.password().isEmpty();
      message =
          server
              + " refused user '"
              + settings.user()
              + "' ("
              + detail
              + "): "
              + (none ? "no password was found; " : "")
              + "set PGPASSWORD, or add a line host:port:database:user:password to ~/.pgpass"
              + " (chmod 600)"
              + (settings.passwordWarning() == null ? "" : " (" + settings.passwordWarning() + ")");
    } else if (state.equals("3D000")) {
      message =
          "database '"
              + settings.location().database()
              + "' does not exist on "
              + server
              + ": create it (createdb "
              + settings.location().database()
              + ") or name another in the location";
    } else if (state.equals("57014")) {
      message =
          server
              + " did not finish "
              + doing
              + " within the statement timeout (statement_timeout="
              + settings.statementTimeout()
              + "): the server is slow or busy, or another session holds a lock on the table;"
              + " a longer wait is ?statement_timeout=5min in the location";
    } else if (state.startsWith("08")
        || state.equals("57P01")
        || state.equals("57P02")
        || state.equals("57P03")
        || causedBy(cause, IOException.class)) {
      message =
          "lost the connection to "
              + server
              + " while "
              + doing
              + " ("
              + detail
              + ")"
              + (writing
                  ? ": the writes since the last commit were rolled back, none of them is"
                      + " visible; running the same ingest again completes it"
                  : "");
    } else if (state.equals("42501")) {
      message = "user '" + settings.user() + "' may not do this on " + server + ": " + detail;
    } else {
      message = server + " failed while " + doing + ": " + detail;
    }
    return new JembedException(where + message, e);
  }

  /** The driver's own error under the pool's wrapper ("connection is not available"). */
  private static SQLException innermost(SQLException e) {
    SQLException current = e;
    while (current.getCause() instanceof SQLException inner && inner != current) {
      current = inner;
    }
    return current;
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).trim();
  }
}
