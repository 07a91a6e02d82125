package io.quackrunner.ledger;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An RFC 9162 §2.1.4 consistency proof: the tree of {@code fromSize} is a prefix of {@code toSize}.
 *
 * <p>JSON: {@code {"from_size": n, "to_size": n, "hashes": [std-base64, ...]}}; see {@link
 * ProofJson}.
 *
 * @param fromSize the older, smaller tree size
 * @param toSize the newer tree size
 * @param hashes the 32-byte proof nodes
 */
public record ConsistencyProof(
    @JsonProperty("from_size") long fromSize,
    @JsonProperty("to_size") long toSize,
    @JsonProperty("hashes") List<byte[]> hashes) {

  /** Copies the hash list (and each hash) so the record stays immutable. */
  public ConsistencyProof {
    hashes = hashes.stream().map(byte[]::clone).toList();
  }

  @Override
  public List<byte[]> hashes() {
    return hashes.stream().map(byte[]::clone).toList();
  }

  /** Returns whether this proves the tree with {@code fromRoot} is a prefix of {@code toRoot}'s. */
  public boolean verify(byte[] fromRoot, byte[] toRoot) {
    return MerkleProofs.verifyConsistency(fromSize, toSize, hashes, fromRoot, toRoot);
  }

  /** Returns this proof as JSON with standard base64 hashes. */
  public String toJson() {
    return ProofJson.write(this);
  }

  /**
   * Reads a proof from JSON strictly (no unknown or missing fields).
   *
   * @throws io.quackrunner.errors.RunnerException VERIFICATION_FAILED if malformed
   */
  public static ConsistencyProof parseJson(String json) {
    return ProofJson.read(json, ConsistencyProof.class);
  }
}
