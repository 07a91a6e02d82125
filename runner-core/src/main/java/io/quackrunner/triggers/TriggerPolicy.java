package io.quackrunner.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.Units;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.tools.YamlTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's trust policy for triggers, per tenant ({@code triggers.yaml} in the state
 * directory; format in docs/TRIGGERS.md).
 *
 * <p>A tenant the file does not name (and every tenant when there is no file) requires no trigger
 * and trusts no key: its requests run without a trigger, and any trigger it sends is refused as
 * signed by an untrusted key.
 */
public final class TriggerPolicy {
  /** The file name of the policy in the state directory. */
  public static final String FILE = "triggers.yaml";

  /** The policy of a state directory without {@value #FILE}. */
  public static final TriggerPolicy NONE = new TriggerPolicy(Map.of());

  private static final Set<String> TOP = Set.of("triggers", "tenants");
  private static final Set<String> TENANT =
      Set.of(
          "require_trigger", "require_anchoring", "clock_skew", "trigger_keys", "checkpoint_keys");
  private static final Set<String> KEY = Set.of("key", "tools");
  private static final Duration DEFAULT_SKEW = Duration.ofSeconds(60);

  private final Map<String, Rules> tenants;

  private TriggerPolicy(Map<String, Rules> tenants) {
    this.tenants = Map.copyOf(tenants);
  }

  /**
   * A key trusted to sign triggers, and the tools it may trigger.
   *
   * @param key the C2SP verifier key
   * @param tools tool names, or {@code *} for every tool
   */
  public record TrustedKey(VerifierKey key, Set<String> tools) {
    /** Returns whether this key may trigger {@code tool}. */
    public boolean allows(String tool) {
      return tools.contains("*") || tools.contains(tool);
    }
  }

  /**
   * One tenant's rules.
   *
   * @param requireTrigger whether every request must carry a valid trigger
   * @param requireAnchoring whether a trigger must carry valid anchoring evidence
   * @param clockSkew how far {@code issued_at} and {@code not_after} may be off
   * @param triggerKeys the keys trusted to sign triggers
   * @param checkpointKeys the keys trusted to sign the caller's log checkpoints
   */
  public record Rules(
      boolean requireTrigger,
      boolean requireAnchoring,
      Duration clockSkew,
      List<TrustedKey> triggerKeys,
      List<VerifierKey> checkpointKeys) {
    static final Rules DEFAULT = new Rules(false, false, DEFAULT_SKEW, List.of(), List.of());

    /** Copies the lists. */
    public Rules {
      triggerKeys = List.copyOf(triggerKeys);
      checkpointKeys = List.copyOf(checkpointKeys);
    }
  }

  /** Returns the rules of a tenant (the defaults when the policy does not name it). */
  public Rules rules(String tenant) {
    return tenants.getOrDefault(tenant, Rules.DEFAULT);
  }

  /**
   * Loads {@value #FILE} from a state directory, or {@link #NONE} when there is none.
   *
   * @throws RunnerException of kind CONFIGURATION naming {@code file:line} of the first error
   */
  public static TriggerPolicy load(Path stateDir) {
    Path f = stateDir.resolve(FILE);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      return NONE;
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot read " + f + ": " + e);
    }
    return parse(bytes, f.toString());
  }

  /**
   * Parses a policy document.
   *
   * @param source the name used in errors (a path)
   * @throws RunnerException of kind CONFIGURATION naming {@code source:line} of the first error
   */
  public static TriggerPolicy parse(byte[] yaml, String source) {
    YamlTree tree = YamlTree.parse(yaml, source);
    JsonNode root = tree.root();
    Parser p = new Parser(tree, source);
    p.object(root, "", TOP);
    if (root.path("triggers").asInt(0) != 1) {
      throw p.error("/triggers", "'triggers: 1' is required (the format version)");
    }
    Map<String, Rules> out = new LinkedHashMap<>();
    JsonNode ts = root.path("tenants");
    if (!ts.isObject()) {
      throw p.error("/tenants", "'tenants' must be a map of tenant name to rules");
    }
    for (Iterator<String> it = ts.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      String ptr = "/tenants/" + name;
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw p.error(ptr, "bad tenant name '" + name + "'");
      }
      out.put(name, p.rules(ts.get(name), ptr));
    }
    return new TriggerPolicy(out);
  }

  private record Parser(YamlTree tree, String source) {
    Rules rules(JsonNode n, String ptr) {
      object(n, ptr, TENANT);
      boolean req = bool(n, ptr, "require_trigger");
      boolean anchor = bool(n, ptr, "require_anchoring");
      Duration skew = DEFAULT_SKEW;
      if (n.has("clock_skew")) {
        try {
          skew = Duration.ofMillis(Units.parseDurationMs(n.get("clock_skew").asText()));
        } catch (RunnerException e) {
          throw error(ptr + "/clock_skew", e.getMessage());
        }
      }
      List<TrustedKey> keys = new ArrayList<>();
      JsonNode tk = n.path("trigger_keys");
      if (!tk.isMissingNode()) {
        if (!tk.isArray()) {
          throw error(ptr + "/trigger_keys", "'trigger_keys' must be a list");
        }
        for (int i = 0; i < tk.size(); i++) {
          String kp = ptr + "/trigger_keys/" + i;
          JsonNode k = tk.get(i);
          object(k, kp, KEY);
          VerifierKey vk = key(k.path("key"), kp + "/key");
          JsonNode tools = k.path("tools");
          if (!tools.isArray() || tools.isEmpty()) {
            throw error(kp + "/tools", "'tools' must be a non-empty list of tool names or '*'");
          }
          Set<String> names = new java.util.TreeSet<>();
          for (int j = 0; j < tools.size(); j++) {
            if (!tools.get(j).isTextual()) {
              throw error(kp + "/tools/" + j, "a tool name must be a string");
            }
            names.add(tools.get(j).asText());
          }
          keys.add(new TrustedKey(vk, names));
        }
      }
      List<VerifierKey> cps = new ArrayList<>();
      JsonNode ck = n.path("checkpoint_keys");
      if (!ck.isMissingNode()) {
        if (!ck.isArray()) {
          throw error(ptr + "/checkpoint_keys", "'checkpoint_keys' must be a list");
        }
        for (int i = 0; i < ck.size(); i++) {
          cps.add(key(ck.get(i), ptr + "/checkpoint_keys/" + i));
        }
      }
      if (anchor && cps.isEmpty()) {
        throw error(ptr + "/require_anchoring", "anchoring is required but no checkpoint_keys");
      }
      return new Rules(req, anchor, skew, keys, cps);
    }

    VerifierKey key(JsonNode n, String ptr) {
      if (!n.isTextual()) {
        throw error(ptr, "a key must be a C2SP verifier key string (name+hash+base64)");
      }
      try {
        return VerifierKey.parse(n.asText());
      } catch (RunnerException e) {
        throw error(ptr, e.getMessage());
      }
    }

    boolean bool(JsonNode n, String ptr, String k) {
      JsonNode v = n.get(k);
      if (v == null) {
        return false;
      }
      if (!v.isBoolean()) {
        throw error(ptr + "/" + k, "'" + k + "' must be true or false");
      }
      return v.asBoolean();
    }

    void object(JsonNode n, String ptr, Set<String> allowed) {
      if (n == null || !n.isObject()) {
        throw error(ptr, "expected a map");
      }
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!allowed.contains(k)) {
          throw error(
              ptr + "/" + k,
              "unknown key '"
                  + k
                  + "' (known: "
                  + String.join(", ", new java.util.TreeSet<>(allowed))
                  + ")");
        }
      }
    }

    RunnerException error(String ptr, String m) {
      return new RunnerException(ErrorKind.CONFIGURATION, source + ":" + tree.line(ptr) + ": " + m);
    }
  }
}
