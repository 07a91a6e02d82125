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
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trigger hash of a run (SPEC-UBL-RUNNER v1.0 {@code trigger_link_hash}; DESIGN "one trigger →
 * at most one execution"), prefixed by the kind of trigger: {@code key:} for an explicit
 * idempotency key, {@code link:} for a signed trigger link, {@code fresh:} for a request with
 * neither (a random trigger, so it runs every time); and the RFC 8785 canonical form of a raw
 * command request (argv, runtime, environment, resolved limits, the SHA-256 of every input file),
 * whose hash tells two requests with one key apart.
 */
public final class TriggerHashes {
  private TriggerHashes() {}

  /** The prefix of the trigger hash of an explicit idempotency key. */
  public static final String KEY = "key:";

  /** The prefix of the trigger hash of a signed trigger link. */
  public static final String LINK = "link:";

  /** The prefix of the trigger hash of a request that carried neither key nor trigger. */
  public static final String FRESH = "fresh:";

  /** The prefix of the (never claimed again) trigger hash of a REJECTED run record. */
  public static final String REJECTED = "rejected:";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Builds the request tree that is canonicalized; one for every run (thread-safe). */
  private static final ObjectMapper TREE = new ObjectMapper();

  /**
   * Returns the trigger hash of an idempotency key, scoped to its tenant: {@code key:sha256:<hex>}
   * of {@code "key\n" tenant "\n" key}.
   */
  public static String ofKey(String tenant, String idempotencyKey) {
    return KEY
        + "sha256:"
        + sha256(("key\n" + tenant + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the trigger hash of a signed trigger: {@code link:sha256:<hex>} of the link's bytes
   * (the DSSE payload), the same whoever sends it.
   */
  public static String ofLink(byte[] linkPayload) {
    return LINK + "sha256:" + sha256(linkPayload);
  }

  /** Returns a unique trigger hash for the record of a request refused before execution. */
  public static String rejected() {
    return REJECTED + fresh().substring(FRESH.length());
  }

  /**
   * Returns a fresh trigger hash for a request with neither key nor trigger: {@code
   * fresh:sha256:<hex>} of 32 random bytes, so every such request is a run of its own.
   */
  public static String fresh() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return FRESH + "sha256:" + sha256(b);
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
    if (p.request().egress() != null) {
      // Only egress runs carry it, so every other request keeps its hash.
      req.put("allow_hosts", p.request().egress().allow().labels());
    }
    try {
      return Jcs.canonicalize(TREE.valueToTree(req));
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
