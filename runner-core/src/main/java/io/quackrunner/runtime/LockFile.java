package io.quackrunner.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The lock file a tool version ships for its runtime's package manager, as recorded in {@code
 * reports/runner.meta.json} and the receipt ({@code lock_file}).
 *
 * <p>Each runtime type has at most one lock kind: {@code node} → npm's {@code package-lock.json},
 * {@code python} → poetry's {@code poetry.lock}, {@code dotnet} → NuGet's {@code
 * packages.lock.json}; other types have none. A run has a lock file when its tool's files (placed
 * at {@code /workspace/in/_tool}, i.e. {@code <input dir>/_tool} on the host) hold a regular file
 * of that name at their root; a symbolic link of that name is not followed and does not count.
 *
 * @param name the lock file's name, e.g. {@code package-lock.json}
 * @param sha256 the SHA-256 of its bytes, 64 lower-case hex digits
 */
@JsonPropertyOrder({"name", "sha256"})
public record LockFile(@JsonProperty("name") String name, @JsonProperty("sha256") String sha256) {
  /** The directory of a run's input directory that holds the tool's files. */
  public static final String TOOL_DIR = "_tool";

  private static final Map<String, String> KINDS =
      Map.of("node", "package-lock.json", "python", "poetry.lock", "dotnet", "packages.lock.json");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException when the name is not a known lock kind or the hash is not 64
   *     lower-case hex digits
   */
  public LockFile {
    if (name == null || !KINDS.containsValue(name)) {
      throw new IllegalArgumentException("lock_file.name must be one of " + KINDS.values());
    }
    if (sha256 == null || !HEX.matcher(sha256).matches()) {
      throw new IllegalArgumentException("lock_file.sha256 must be 64 lower-case hex digits");
    }
  }

  /**
   * Returns the lock file name of a runtime type's lock kind.
   *
   * @param runtimeType the profile's type, e.g. {@code node}
   * @return e.g. {@code package-lock.json}; empty for a type without a lock kind
   */
  public static Optional<String> kindOf(String runtimeType) {
    return Optional.ofNullable(runtimeType == null ? null : KINDS.get(runtimeType));
  }

  /**
   * Finds and hashes the lock file a run's tool ships.
   *
   * @param runtimeType the run's runtime type
   * @param inputDir the run's host input directory (copied to {@code /workspace/in}), or null
   * @return the lock file, or null when the type has no lock kind, there is no input directory, or
   *     {@code _tool/<name>} is not a regular file
   * @throws RunnerException of kind EXECUTION_FAILED when the file exists but cannot be read
   */
  public static LockFile find(String runtimeType, Path inputDir) {
    Optional<String> name = kindOf(runtimeType);
    if (inputDir == null || name.isEmpty()) {
      return null;
    }
    Path tool = inputDir.resolve(TOOL_DIR);
    Path file = tool.resolve(name.get());
    if (!Files.isDirectory(tool, LinkOption.NOFOLLOW_LINKS)
        || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (var in =
          new DigestInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), sha)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      return new LockFile(name.get(), HexFormat.of().formatHex(sha.digest()));
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.EXECUTION_FAILED, "cannot read the tool's lock file " + file + ": " + e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
