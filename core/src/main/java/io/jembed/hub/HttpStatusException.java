package io.jembed.hub;

import io.jembed.JembedException;
import java.net.URI;

/** A server answered with an HTTP status that means failure; the message names the URL. */
public class HttpStatusException extends JembedException {
  private static final long serialVersionUID = 1L;
  private final int statusCode;
  private final transient URI uri;

  public HttpStatusException(String message, URI uri, int statusCode) {
    super(message);
    this.uri = uri;
    this.statusCode = statusCode;
  }

  public int statusCode() {
    return statusCode;
  }

  public URI uri() {
    return uri;
  }
}
