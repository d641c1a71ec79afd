package io.jembed.index.pgvector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The password file of libpq ({@code ~/.pgpass}, or the file PGPASSFILE or the location's {@code
 * passfile} names), read by libpq's rules: lines {@code hostname:port:database:username:password},
 * {@code *} matches anything, {@code \} escapes {@code :} and {@code \}, lines starting with {@code
 * #} are comments, the first matching line wins, and on POSIX systems a file that its group or
 * others may read or write is ignored (with a warning, as libpq does).
 */
final class PgPass {
  /** What a lookup found: the password, or null with the reason none was used. */
  record Lookup(String password, String warning) {
    @Override
    public String toString() {
      return "Lookup[" + (password == null ? "no password" : "a password") + ", " + warning + "]";
    }
  }

  private PgPass() {}

  /**
   * The password for a connection: the location's {@code passfile}, else PGPASSFILE, else {@code
   * ~/.pgpass} (on Windows {@code %APPDATA%\postgresql\pgpass.conf}).
   */
  static Lookup find(
      String passfile,
      Map<String, String> environment,
      String host,
      int port,
      String database,
      String user) {
    Path file = file(passfile, environment);
    return file == null ? new Lookup(null, null) : find(file, host, port, database, user);
  }

  static Path file(String passfile, Map<String, String> environment) {
    if (passfile != null && !passfile.isEmpty()) {
      return Path.of(passfile);
    }
    String env = environment.get("PGPASSFILE");
    if (env != null && !env.isEmpty()) {
      return Path.of(env);
    }
    if (System.getProperty("os.name", "").startsWith("Windows")) {
      String appData = environment.get("APPDATA");
      return appData == null ? null : Path.of(appData, "postgresql", "pgpass.conf");
    }
    String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
    return home == null ? null : Path.of(home, ".pgpass");
  }

  /** The first line of {@code file} that matches, by libpq's rules. */
  static Lookup find(Path file, String host, int port, String database, String user) {
    if (!Files.exists(file)) {
      return new Lookup(null, null);
    }
    if (!Files.isRegularFile(file)) {
      return new Lookup(null, "password file " + file + " is not a plain file");
    }
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      for (PosixFilePermission p : permissions) {
        if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
          return new Lookup(
              null,
              "password file "
                  + file
                  + " has group or world access and is ignored; permissions should be u=rw (0600)"
                  + " or less");
        }
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system (Windows): libpq checks nothing there either
    } catch (IOException e) {
      return new Lookup(null, "cannot read password file " + file + ": " + e.getMessage());
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new Lookup(null, "cannot read password file " + file + ": " + e.getMessage());
    }
    String portText = Integer.toString(port);
    for (String line : lines) {
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<Field> fields = split(line);
      if (fields.size() < 5) {
        continue; // libpq skips malformed lines
      }
      if (fields.get(0).matches(host)
          && fields.get(1).matches(portText)
          && fields.get(2).matches(database)
          && fields.get(3).matches(user)) {
        return new Lookup(fields.get(4).text(), null);
      }
    }
    return new Lookup(null, null);
  }

  /** A field unescaped; a lone unescaped {@code *} matches anything. */
  private record Field(String text, boolean wildcard) {
    boolean matches(String value) {
      return wildcard || text.equals(value);
    }
  }

  /**
   * The line's first four fields, then the rest of the line as the password (a {@code :} in it
   * needs no escape), each unescaped, as libpq reads them.
   */
  private static List<Field> split(String line) {
    List<Field> fields = new ArrayList<>(5);
    StringBuilder field = new StringBuilder();
    boolean escapes = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        field.append(line.charAt(++i));
        escapes = true;
      } else if (c == ':' && fields.size() < 4) {
        fields.add(new Field(field.toString(), !escapes && field.toString().equals("*")));
        field.setLength(0);
        escapes = false;
      } else {
        field.append(c);
      }
    }
    fields.add(new Field(field.toString(), false));
    return fields;
  }
}
