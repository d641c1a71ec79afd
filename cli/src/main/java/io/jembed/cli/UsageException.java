package io.jembed.cli;

/** Wrong use of the command line (exit code 2), as opposed to a failure while running (1). */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
