package io.jembed;

/** The one exception type of jembed's API: unchecked, with a message that says what went wrong. */
public class JembedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JembedException(String message) {
    super(message);
  }

  public JembedException(String message, Throwable cause) {
    super(message, cause);
  }
}
