package io.quackrunner.receipts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Executor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trigger hash of a run (SPEC-UBL-RUNNER v1.0 {@code trigger_link_hash}; DESIGN "one trigger →
 * at most one execution"): {@code sha256:<hex>} of an explicit idempotency key, or else of the RFC
 * 8785 canonical JSON of the request (argv, runtime, environment, resolved limits, and the SHA-256
 * of every input file).
 */
public final class TriggerHashes {
  private TriggerHashes() {}

  /** Returns the trigger hash of an idempotency key, namespaced by tenant. */
  public static String ofKey(String tenant, String idempotencyKey) {
    return "sha256:"
        + sha256(("key\n" + tenant + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the trigger hash of a prepared command execution.
   *
   * @throws RunnerException of kind USAGE when an input cannot be read
   */
  public static String ofRequest(String tenant, Executor.Prepared p) {
    return sha256(
        ("request\n" + tenant + "\n").getBytes(StandardCharsets.UTF_8), canonicalRequest(p));
  }

  /**
   * Returns the RFC 8785 canonical JSON of a prepared command execution: argv, runtime, env,
   * resolved limits and input file hashes (not the execution id or out directory).
   *
   * @throws RunnerException of kind USAGE when an input cannot be read
   */
  public static byte[] canonicalRequest(Executor.Prepared p) {
    Map<String, Object> req = new LinkedHashMap<>();
    req.put("argv", p.request().argv());
    req.put("runtime", p.runtime().profile().id());
    req.put("env", new TreeMap<>(p.request().env()));
    req.put("limits", p.limits().asMap());
    req.put("inputs", p.request().inputDir() == null ? Map.of() : inputs(p.request().inputDir()));
    try {
      return Jcs.canonicalize(new ObjectMapper().valueToTree(req));
    } catch (IllegalArgumentException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot canonicalize the request: " + e, e);
    }
  }

  private static Map<String, String> inputs(Path dir) {
    Map<String, String> m = new TreeMap<>();
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(x -> Files.isRegularFile(x, LinkOption.NOFOLLOW_LINKS)).toList()) {
        m.put(dir.relativize(f).toString(), io.quackrunner.artifacts.Sha256Sums.hash(f));
      }
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.USAGE, "cannot read inputs in " + dir + ": " + e.getMessage());
    }
    return m;
  }

  /** Returns the lower-case hex SHA-256 of the concatenated parts. */
  public static String sha256(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] b : parts) {
        md.update(b);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
