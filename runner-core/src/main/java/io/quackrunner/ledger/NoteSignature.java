package io.quackrunner.ledger;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One signature line of a C2SP signed note: {@code — name base64(keyhash ‖ signature)}.
 *
 * @param name the key name
 * @param keyHash the 4-byte key hash
 * @param signature the raw signature (64 bytes for Ed25519)
 */
public record NoteSignature(String name, byte[] keyHash, byte[] signature) {
  /** Copies the arrays so the record stays immutable. */
  public NoteSignature {
    keyHash = keyHash.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] keyHash() {
    return keyHash.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Returns whether this line claims to be by {@code key}: same name and key hash. */
  public boolean isBy(NoteVerifier key) {
    return name.equals(key.name()) && Arrays.equals(keyHash, key.keyHash());
  }

  /** Returns the signature line without its newline. */
  public String line() {
    byte[] both = Arrays.copyOf(keyHash, keyHash.length + signature.length);
    System.arraycopy(signature, 0, both, keyHash.length, signature.length);
    return "\u2014 " + name + " " + Base64.getEncoder().encodeToString(both);
  }

  @Override
  public String toString() {
    return "NoteSignature[" + name + "+" + HexFormat.of().formatHex(keyHash) + "]";
  }
}
