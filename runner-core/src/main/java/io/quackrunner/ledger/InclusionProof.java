package io.quackrunner.ledger;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An RFC 9162 §2.1.3 inclusion proof: entry {@code leafIndex} is in the tree of {@code treeSize}.
 *
 * <p>JSON: {@code {"leaf_index": n, "tree_size": n, "hashes": [std-base64, ...]}}, leaf side first;
 * see {@link ProofJson}.
 *
 * @param leafIndex the entry's 0-based index
 * @param treeSize the size of the tree the proof is to
 * @param hashes the 32-byte audit path
 */
public record InclusionProof(
    @JsonProperty("leaf_index") long leafIndex,
    @JsonProperty("tree_size") long treeSize,
    @JsonProperty("hashes") List<byte[]> hashes) {

  /** Copies the hash list (and each hash) so the record stays immutable. */
  public InclusionProof {
    hashes = hashes.stream().map(byte[]::clone).toList();
  }

  @Override
  public List<byte[]> hashes() {
    return hashes.stream().map(byte[]::clone).toList();
  }

  /** Returns whether this proves {@code leafHash} is in the tree with root {@code rootHash}. */
  public boolean verify(byte[] leafHash, byte[] rootHash) {
    return MerkleProofs.verifyInclusion(leafHash, leafIndex, treeSize, hashes, rootHash);
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
  public static InclusionProof parseJson(String json) {
    return ProofJson.read(json, InclusionProof.class);
  }
}
