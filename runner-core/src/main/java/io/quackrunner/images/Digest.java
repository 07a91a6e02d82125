package io.quackrunner.images;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.regex.Pattern;

/**
 * A SHA-256 content digest as defined by the OCI Image Specification v1.1 ("Digests"): {@code
 * sha256:} followed by 64 lowercase hex digits. Other algorithms are refused.
 *
 * @param hex the 64 lowercase hex digits
 */
public record Digest(String hex) {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /** Checks the hex digits. */
  public Digest {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw new RunnerException(ErrorKind.VERIFICATION_FAILED, "not a sha256 digest: " + hex);
    }
  }

  /**
   * Parses {@code sha256:<64 hex>}.
   *
   * @throws RunnerException of kind VERIFICATION_FAILED for any other form or algorithm
   */
  public static Digest parse(String s) {
    if (s == null || !s.startsWith("sha256:")) {
      throw new RunnerException(
          ErrorKind.VERIFICATION_FAILED, "unsupported digest (only sha256:<hex>): " + s);
    }
    return new Digest(s.substring("sha256:".length()));
  }

  /** Returns {@code sha256:<hex>}. */
  @Override
  public String toString() {
    return "sha256:" + hex;
  }
}
