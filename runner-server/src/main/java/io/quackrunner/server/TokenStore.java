package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Bearer tokens and the tenants they belong to, read from a file that holds only their SHA-256.
 *
 * <p>The file has one token per line: {@code <lower-case hex SHA-256 of the token> <tenant>
 * [mcp-execute]}; blank lines and lines starting with {@code #} are ignored. It is created with
 * mode 0600. The optional third column {@value #MCP_EXECUTE} lets the token run tools over MCP
 * (docs/MCP.md); without it the token's MCP sessions are read-only. Any other third word is an
 * error.
 */
public final class TokenStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Path file;

  /** The third-column word that lets a token start runs over MCP. */
  public static final String MCP_EXECUTE = "mcp-execute";

  private volatile Map<String, Entry> tenantsByHash;
  private volatile FileTime loadedAt;

  private TokenStore(Path file, Map<String, Entry> tenantsByHash, FileTime loadedAt) {
    this.file = file;
    this.tenantsByHash = tenantsByHash;
    this.loadedAt = loadedAt;
  }

  /**
   * One line of a token file.
   *
   * @param sha256 the token's SHA-256, lower-case hex
   * @param tenant its tenant
   * @param mcpExecute whether its MCP sessions may start runs (third column {@value #MCP_EXECUTE})
   */
  public record Entry(String sha256, String tenant, boolean mcpExecute) {
    /** An entry without the MCP execution opt-in. */
    public Entry(String sha256, String tenant) {
      this(sha256, tenant, false);
    }

    String line() {
      return sha256 + " " + tenant + (mcpExecute ? " " + MCP_EXECUTE : "") + "\n";
    }
  }

  /**
   * Loads a token file.
   *
   * @throws RunnerException of kind CONFIGURATION naming the file and line of a bad entry
   */
  public static TokenStore load(Path file) {
    FileTime t = mtime(file);
    return new TokenStore(file, read(file), t);
  }

  /**
   * Returns the entries of a token file in file order.
   *
   * @throws RunnerException of kind CONFIGURATION as {@link #load(Path)} does
   */
  public static List<Entry> list(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    return List.copyOf(read(file).values());
  }

  /**
   * Removes every token of a tenant, or the one token whose hash starts with {@code selector} (at
   * least 8 hex digits), rewriting the file (mode 0600) atomically; returns the entries removed.
   *
   * @throws RunnerException of kind NOT_FOUND when nothing matches, USAGE for a prefix that matches
   *     several tokens or is shorter than 8 digits, CONFIGURATION when the file cannot be written
   */
  public static List<Entry> revoke(Path file, String tenant, String hashPrefix) {
    List<Entry> all = list(file);
    List<Entry> gone =
        all.stream()
            .filter(
                e ->
                    tenant != null
                        ? e.tenant().equals(tenant)
                        : hashPrefix.length() >= 8 && e.sha256().startsWith(hashPrefix))
            .toList();
    if (tenant == null && hashPrefix.length() < 8) {
      throw new RunnerException(ErrorKind.USAGE, "give at least 8 hex digits of the token hash");
    }
    if (gone.isEmpty()) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND,
          "no token " + (tenant != null ? "of tenant " + tenant : hashPrefix) + " in " + file);
    }
    if (tenant == null && gone.size() > 1) {
      throw new RunnerException(ErrorKind.USAGE, hashPrefix + " matches several tokens");
    }
    StringBuilder b = new StringBuilder();
    for (Entry e : all) {
      if (!gone.contains(e)) {
        b.append(e.line());
      }
    }
    try {
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + System.nanoTime());
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, b, StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot write token file " + file + ": " + e);
    }
    return gone;
  }

  private static Map<String, Entry> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot read token file " + file + ": " + e);
    }
    Map<String, Entry> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] parts = l.split("\\s+");
      if (parts.length < 2
          || parts.length > 3
          || !parts[0].matches("[0-9a-f]{64}")
          || !parts[1].matches("[A-Za-z0-9._-]{1,64}")
          || (parts.length == 3 && !parts[2].equals(MCP_EXECUTE))) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION,
            file
                + ":"
                + (i + 1)
                + ": expected '<sha256 hex of token> <tenant> ["
                + MCP_EXECUTE
                + "]'");
      }
      m.put(parts[0], new Entry(parts[0], parts[1], parts.length == 3));
    }
    return m;
  }

  private static FileTime mtime(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return null;
    }
  }

  /** Reloads the file when it changed, so {@code runner tokens add|revoke} take effect live. */
  private void refresh() {
    FileTime now = mtime(file);
    if (now == null || now.equals(loadedAt)) {
      return;
    }
    synchronized (this) {
      if (now.equals(loadedAt)) {
        return;
      }
      try {
        tenantsByHash = read(file);
      } catch (RunnerException e) {
        // A half-edited file keeps the tokens that were valid; the next change is read again.
        io.quackrunner.service.JsonLog.warn("tokens.reload_failed", "detail", e.getMessage());
      }
      loadedAt = now;
    }
  }

  /**
   * Creates a new random token for a tenant, appends its hash to the token file (created 0600 if
   * absent) and returns the token; the token itself is stored nowhere.
   *
   * @throws RunnerException of kind CONFIGURATION when the file cannot be written
   */
  public static String issue(Path file, String tenant) {
    return issue(file, tenant, false);
  }

  /**
   * Creates a token as {@link #issue(Path, String)} does, with the MCP execution opt-in when {@code
   * mcpExecute} is true.
   *
   * @throws RunnerException of kind CONFIGURATION when the file cannot be written
   */
  public static String issue(Path file, String tenant, boolean mcpExecute) {
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
                new Entry(sha256(token), tenant, mcpExecute)
                    .line()
                    .getBytes(StandardCharsets.UTF_8));
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

  /** Returns the SHA-256 (lower-case hex) under which a token is stored. */
  public static String hashOf(String token) {
    return sha256(token);
  }

  /**
   * Returns the tenant of an {@code Authorization} header value ({@code Bearer <token>}).
   *
   * @throws RunnerException of kind UNAUTHENTICATED when the header is missing or the token unknown
   */
  public String authenticate(String authorization) {
    return principal(authorization).tenant();
  }

  /**
   * Returns the token-file entry of an {@code Authorization} header value ({@code Bearer <token>}):
   * its tenant and opt-ins.
   *
   * @throws RunnerException of kind UNAUTHENTICATED when the header is missing or the token unknown
   */
  public Entry principal(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new RunnerException(ErrorKind.UNAUTHENTICATED, "a Bearer token is required");
    }
    refresh();
    Entry e = tenantsByHash.get(sha256(authorization.substring(7).strip()));
    if (e == null) {
      throw new RunnerException(ErrorKind.UNAUTHENTICATED, "unknown token");
    }
    return e;
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
