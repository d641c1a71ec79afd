package io.jembed.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Bearer-token check in constant time: both sides are hashed first, so neither the key's content
 * nor its length shows in the time a comparison takes. The key itself is never logged.
 */
final class Auth {
  private final byte[] expectedDigest;

  Auth(String apiKey) {
    this.expectedDigest = apiKey == null ? null : sha256(apiKey);
  }

  boolean enabled() {
    return expectedDigest != null;
  }

  /** Whether the Authorization header value carries the key ("Bearer KEY"). */
  boolean accepts(String authorization) {
    if (expectedDigest == null) {
      return true;
    }
    String presented = "";
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = authorization.substring(7).trim();
    }
    // compare even when the header is missing, so both paths take the same time
    boolean equal = MessageDigest.isEqual(expectedDigest, sha256(presented));
    return equal && !presented.isEmpty();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
