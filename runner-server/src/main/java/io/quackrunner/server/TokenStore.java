package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Bearer tokens and the tenants they belong to, read from a file that holds only their SHA-256.
 *
 * <p>The file has one token per line: {@code <lower-case hex SHA-256 of the token> <tenant>}; blank
 * lines and lines starting with {@code #} are ignored. It is created with mode 0600.
 */
public final class TokenStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Map<String, String> tenantsByHash;

  private TokenStore(Map<String, String> tenantsByHash) {
    this.tenantsByHash = tenantsByHash;
  }

  /**
   * Loads a token file.
   *
   * @throws RunnerException of kind CONFIGURATION naming the file and line of a bad entry
   */
  public static TokenStore load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot read token file " + file + ": " + e);
    }
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] parts = l.split("\\s+");
      if (parts.length != 2
          || !parts[0].matches("[0-9a-f]{64}")
          || !parts[1].matches("[A-Za-z0-9._-]{1,64}")) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION,
            file + ":" + (i + 1) + ": expected '<sha256 hex of token> <tenant>'");
      }
      m.put(parts[0], parts[1]);
    }
    return new TokenStore(m);
  }

  /**
   * Creates a new random token for a tenant, appends its hash to the token file (created 0600 if
   * absent) and returns the token; the token itself is stored nowhere.
   *
   * @throws RunnerException of kind CONFIGURATION when the file cannot be written
   */
  public static String issue(Path file, String tenant) {
    if (!tenant.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new RunnerException(ErrorKind.USAGE, "bad tenant name '" + tenant + "'");
    }
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String token = "qr_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      // O_CREAT without O_EXCL, mode 0600 from creation: concurrent issuers neither fail on a file
      // another one just created nor see it wider than 0600; each line is one O_APPEND write, so
      // lines of concurrent issuers never interleave.
      try (var ch =
          Files.newByteChannel(
              file,
              java.util.Set.of(
                  StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        var line =
            java.nio.ByteBuffer.wrap(
                (sha256(token) + " " + tenant + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
          ch.write(line);
        }
      }
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot write token file " + file + ": " + e);
    }
    return token;
  }

  /**
   * Returns the tenant of an {@code Authorization} header value ({@code Bearer <token>}).
   *
   * @throws RunnerException of kind UNAUTHENTICATED when the header is missing or the token unknown
   */
  public String authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new RunnerException(ErrorKind.UNAUTHENTICATED, "a Bearer token is required");
    }
    String tenant = tenantsByHash.get(sha256(authorization.substring(7).strip()));
    if (tenant == null) {
      throw new RunnerException(ErrorKind.UNAUTHENTICATED, "unknown token");
    }
    return tenant;
  }

  static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
