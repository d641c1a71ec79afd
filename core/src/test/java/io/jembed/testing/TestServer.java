package io.jembed.testing;

import java.util.List;

/**
 * The real servers a test can ask for with {@link RequiresServers}. Each is found through
 * environment variables that {@code ./test-all} (or {@code scripts/test-servers/NAME.sh env}) sets.
 */
public enum TestServer {
  POSTGRES("PostgreSQL with pgvector", "postgres", List.of(TestServers.POSTGRES)),
  OPENSEARCH("OpenSearch with k-NN", "opensearch", List.of(TestServers.OPENSEARCH)),
  CHROMIUM(
      "Chromium and ChromeDriver",
      "chromium",
      List.of(TestServers.CHROMIUM, TestServers.CHROMEDRIVER));

  private final String description;
  private final String script;
  private final List<String> variables;

  TestServer(String description, String script, List<String> variables) {
    this.description = description;
    this.script = script;
    this.variables = variables;
  }

  /** What a person calls it: "PostgreSQL with pgvector". */
  public String description() {
    return description;
  }

  /** The environment variables that locate it; all must be set. */
  public List<String> variables() {
    return variables;
  }

  /** The command that starts it alone, for a developer running one module against it. */
  String startCommand() {
    String script = "scripts/test-servers/" + this.script + ".sh";
    return script + " start && eval \"$(" + script + " env)\"";
  }
}
