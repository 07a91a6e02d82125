package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.NoteVerifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 public key with its C2SP signed-note name and key hash.
 *
 * <p>Text form (https://github.com/C2SP/C2SP/blob/main/signed-note.md): {@code
 * name+hex(keyhash)+base64(0x01 ‖ 32-byte key)}, where keyhash is the first 4 bytes of SHA-256(name
 * ‖ "\n" ‖ 0x01 ‖ key). The key id used on DSSE signatures is {@code name+hex(keyhash)}.
 */
public final class VerifierKey implements NoteVerifier {
  static final byte ED25519_TYPE = 0x01;
  private final String name;
  private final byte[] keyHash;
  private final byte[] publicKey;

  private VerifierKey(String name, byte[] publicKey) {
    this.name = requireName(name);
    if (publicKey == null || publicKey.length != Ed25519.KEY_SIZE) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "an Ed25519 public key is 32 bytes");
    }
    this.publicKey = publicKey.clone();
    this.keyHash = keyHash(name, publicKey);
  }

  /**
   * Returns the verifier key for a raw 32-byte Ed25519 public key under {@code name}.
   *
   * @throws RunnerException CONFIGURATION if the name holds a space or {@code +}, or the key is not
   *     32 bytes
   */
  public static VerifierKey of(String name, byte[] publicKey) {
    return new VerifierKey(name, publicKey);
  }

  /**
   * Parses the signed-note verifier key text {@code name+hash+base64key}, checking the hash.
   *
   * @throws RunnerException CONFIGURATION if the text is malformed, of another key type, or its
   *     hash does not match its name and key
   */
  public static VerifierKey parse(String text) {
    String[] parts = text.strip().split("\\+", 3);
    if (parts.length != 3 || !parts[1].matches("[0-9a-f]{8}")) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "not a verifier key: name+hash+key");
    }
    byte[] typed = decode(parts[2]);
    if (typed.length != 1 + Ed25519.KEY_SIZE || typed[0] != ED25519_TYPE) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "not an Ed25519 verifier key");
    }
    VerifierKey key = new VerifierKey(parts[0], Arrays.copyOfRange(typed, 1, typed.length));
    if (!HexFormat.of().formatHex(key.keyHash).equals(parts[1])) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "verifier key hash does not match");
    }
    return key;
  }

  /** Returns the signed-note text {@code name+hex(keyhash)+base64(0x01 ‖ key)}. */
  public String text() {
    return keyId() + "+" + Base64.getEncoder().encodeToString(typedKey());
  }

  /** Returns the key id {@code name+hex(keyhash)} carried on DSSE signatures. */
  public String keyId() {
    return name + "+" + HexFormat.of().formatHex(keyHash);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte[] keyHash() {
    return keyHash.clone();
  }

  /** Returns the raw 32-byte Ed25519 public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * Returns whether {@code signature} is a valid Ed25519 signature by this key over {@code
   * message}; any signature not exactly 64 bytes is refused (RFC 8032 §5.1.7).
   */
  @Override
  public boolean verify(byte[] message, byte[] signature) {
    return Ed25519.verify(publicKey, message, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifierKey k
        && name.equals(k.name)
        && Arrays.equals(publicKey, k.publicKey);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return text();
  }

  private byte[] typedKey() {
    return Ed25519.concat(new byte[] {ED25519_TYPE}, publicKey);
  }

  static byte[] keyHash(String name, byte[] publicKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
      sha.update(ED25519_TYPE);
      return Arrays.copyOf(sha.digest(publicKey), 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  /** Checks a signed-note key name: non-empty, no Unicode space, no {@code +}, no control. */
  static String requireName(String name) {
    boolean ok = NoteVerifier.isValidKeyName(name);
    if (!ok) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "key name must be non-empty without spaces or '+': " + name);
    }
    return name;
  }

  static byte[] decode(String base64) {
    try {
      byte[] bytes = Base64.getDecoder().decode(base64);
      if (!Base64.getEncoder().encodeToString(bytes).equals(base64)) {
        throw new IllegalArgumentException("non-canonical padding");
      }
      return bytes;
    } catch (IllegalArgumentException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "bad base64 in key text", e);
    }
  }
}
