package io.jembed.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * An expected digest of a download: {@link #sha256(String)} (Hugging Face LFS files) or {@link
 * #sha1(String)} (Maven repositories).
 *
 * @param algorithm the {@link MessageDigest} algorithm name, "SHA-256" or "SHA-1"
 * @param hex the expected digest, lower-case hexadecimal
 */
public record Checksum(String algorithm, String hex) {

  public Checksum {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(hex, "hex");
    int length =
        switch (algorithm) {
          case "SHA-256" -> 64;
          case "SHA-1" -> 40;
          default ->
              throw new IllegalArgumentException(
                  "checksum algorithm must be SHA-256 or SHA-1, got " + algorithm);
        };
    hex = hex.strip().toLowerCase(Locale.ROOT);
    if (!isHex(hex, length)) {
      throw new IllegalArgumentException(
          "a " + algorithm + " checksum is " + length + " hex digits, got '" + hex + "'");
    }
  }

  public static Checksum sha256(String hex) {
    return new Checksum("SHA-256", hex);
  }

  public static Checksum sha1(String hex) {
    return new Checksum("SHA-1", hex);
  }

  /** A fresh digest for this algorithm. */
  MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
  }

  /** Whether {@code file} has this digest. */
  public boolean matches(Path file) {
    return hex.equals(digestOf(file));
  }

  /** This algorithm's digest of a file, in lower-case hex. */
  String digestOf(Path file) {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static boolean isHex(String s, int length) {
    if (s == null || s.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
