package io.quackrunner.service;

import io.quackrunner.receipts.KeyRing;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.store.NodeKey;
import io.quackrunner.store.NodeRecord;
import io.quackrunner.store.NodeStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The receipt verifier keys a runner lists ({@code GET /keys}, {@code runner keys list}) and
 * verifies receipts with: the local key ring of the state directory, then every key of the
 * database's append-only {@code node_keys} table (docs/STORAGE.md, "Nodes"), de-duplicated by key
 * id. A node's key stays listed after the node is retired or declared dead, so every receipt it
 * signed still verifies.
 */
public final class KeyListing {
  private KeyListing() {}

  /**
   * One listed key.
   *
   * @param key the verifier key (C2SP signed-note form via {@link VerifierKey#text()})
   * @param status {@code active} (the local ring's signing key), {@code retired} (a rotated-out key
   *     of the local ring) or {@code listed} (a key of another node's registration only)
   * @param retiredAt when the local ring retired it, or null
   * @param nodeId the node that first registered it in {@code node_keys}, or null (local only)
   * @param firstSeen when it was first registered there (the database's clock), or null
   * @param nodeState the state of that node's latest start: {@code live}, {@code dead}, {@code
   *     retired}, or null when not registered
   */
  public record Entry(
      VerifierKey key,
      String status,
      Instant retiredAt,
      String nodeId,
      Instant firstSeen,
      String nodeState) {
    /** Returns the JSON object of {@code GET /keys} (snake_case fields; nulls kept). */
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key_id", key.keyId());
      m.put("verifier_key", key.text());
      m.put("status", status);
      m.put("retired_at", retiredAt == null ? null : retiredAt.toString());
      m.put("algorithm", "ed25519");
      m.put("public_key", Base64.getEncoder().encodeToString(key.publicKey()));
      m.put("node_id", nodeId);
      m.put("first_seen", firstSeen == null ? null : firstSeen.toString());
      m.put("node_state", nodeState);
      return m;
    }
  }

  /**
   * Lists the keys of {@code ring} (may be null) and of {@code nodes} (may be null).
   *
   * @throws io.quackrunner.errors.RunnerException of kind INTERNAL on a database error, or
   *     CONFIGURATION when a {@code node_keys} row is not a valid Ed25519 key for its key id
   */
  public static List<Entry> list(KeyRing ring, NodeStore nodes) {
    Map<String, Entry> out = new LinkedHashMap<>();
    List<NodeKey> rows = nodes == null ? List.of() : nodes.keys();
    Map<String, NodeKey> byId = new LinkedHashMap<>();
    for (NodeKey k : rows) {
      byId.putIfAbsent(k.keyId(), k);
    }
    Map<String, String> states = new LinkedHashMap<>();
    if (nodes != null) {
      for (NodeRecord r : nodes.nodes()) {
        states.put(r.nodeId(), r.state());
      }
    }
    if (ring != null) {
      VerifierKey active = ring.active().verifierKey();
      for (VerifierKey k : ring.verifierKeys()) {
        NodeKey row = byId.get(k.keyId());
        out.put(
            k.keyId(),
            new Entry(
                k,
                k.equals(active) ? "active" : "retired",
                ring.retiredAt(k).orElse(null),
                row == null ? null : row.nodeId(),
                row == null ? null : Instant.ofEpochMilli(row.firstSeenMs()),
                row == null ? null : states.get(row.nodeId())));
      }
    }
    for (NodeKey row : byId.values()) {
      if (out.containsKey(row.keyId())) {
        continue;
      }
      out.put(
          row.keyId(),
          new Entry(
              key(row),
              "listed",
              null,
              row.nodeId(),
              Instant.ofEpochMilli(row.firstSeenMs()),
              states.get(row.nodeId())));
    }
    return new ArrayList<>(out.values());
  }

  /** Returns the verifier keys of {@link #list}. */
  public static List<VerifierKey> verifierKeys(KeyRing ring, NodeStore nodes) {
    return list(ring, nodes).stream().map(Entry::key).toList();
  }

  /**
   * Returns the verifier key of a {@code node_keys} row: the name is the key id's part before
   * {@code +}, the key its base64 public key; the key hash must match the row's key id.
   */
  static VerifierKey key(NodeKey row) {
    int plus = row.keyId().lastIndexOf('+');
    if (plus <= 0) {
      throw new io.quackrunner.errors.RunnerException(
          io.quackrunner.errors.ErrorKind.CONFIGURATION,
          "node_keys: key id " + row.keyId() + " of node " + row.nodeId() + " has no name+hash");
    }
    VerifierKey k;
    try {
      k =
          VerifierKey.of(
              row.keyId().substring(0, plus), Base64.getDecoder().decode(row.publicKey()));
    } catch (IllegalArgumentException e) {
      throw new io.quackrunner.errors.RunnerException(
          io.quackrunner.errors.ErrorKind.CONFIGURATION,
          "node_keys: public key of " + row.keyId() + " is not base64");
    }
    if (!k.keyId().equals(row.keyId())) {
      throw new io.quackrunner.errors.RunnerException(
          io.quackrunner.errors.ErrorKind.CONFIGURATION,
          "node_keys: public key of node "
              + row.nodeId()
              + " hashes to "
              + k.keyId()
              + ", not its listed key id "
              + row.keyId());
    }
    return k;
  }
}
