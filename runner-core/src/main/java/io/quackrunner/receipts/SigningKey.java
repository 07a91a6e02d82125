package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.NoteSigner;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * An Ed25519 private key that signs receipts (DSSE) and checkpoints (C2SP signed notes).
 *
 * <p>Its text form is the signed-note private key {@code PRIVATE+KEY+name+hex(keyhash)+base64(0x01
 * ‖ 32-byte seed)}, as golang.org/x/mod/sumdb/note writes it; {@link KeyRing} stores it in files of
 * mode 0600.
 */
public final class SigningKey implements NoteSigner {
  private static final String PREFIX = "PRIVATE+KEY+";
  private final Ed25519PrivateKeyParameters privateKey;
  private final VerifierKey verifier;

  private SigningKey(Ed25519PrivateKeyParameters privateKey, VerifierKey verifier) {
    this.privateKey = privateKey;
    this.verifier = verifier;
  }

  /**
   * Returns a fresh random key named {@code name}.
   *
   * @throws RunnerException CONFIGURATION if the name holds a space or {@code +}
   */
  public static SigningKey generate(String name) {
    return fromSeed(name, Ed25519.generateSeed());
  }

  /**
   * Returns the key for a 32-byte Ed25519 seed (RFC 8032 §5.1.5) under {@code name}.
   *
   * @throws RunnerException CONFIGURATION if the seed is not 32 bytes or the name is invalid
   */
  public static SigningKey fromSeed(String name, byte[] seed) {
    Ed25519PrivateKeyParameters key = Ed25519.privateKey(seed);
    return new SigningKey(key, VerifierKey.of(name, Ed25519.rawPublicKey(key)));
  }

  /**
   * Parses the signed-note private key text, checking that its hash matches the derived key.
   *
   * @throws RunnerException CONFIGURATION if the text is malformed or its hash does not match
   */
  public static SigningKey parse(String text) {
    String stripped = text.strip();
    String[] parts =
        stripped.startsWith(PREFIX)
            ? stripped.substring(PREFIX.length()).split("\\+", 3)
            : new String[0];
    if (parts.length != 3) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "not a signing key: PRIVATE+KEY+name+hash+key");
    }
    byte[] typed = VerifierKey.decode(parts[2]);
    if (typed.length != 1 + Ed25519.KEY_SIZE || typed[0] != VerifierKey.ED25519_TYPE) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "not an Ed25519 signing key");
    }
    SigningKey key = fromSeed(parts[0], Arrays.copyOfRange(typed, 1, typed.length));
    if (!HexFormat.of().formatHex(key.keyHash()).equals(parts[1])) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "signing key hash does not match");
    }
    return key;
  }

  /** Returns the secret text form; write it only to files of mode 0600. */
  public String privateKeyText() {
    byte[] typed = Ed25519.concat(new byte[] {VerifierKey.ED25519_TYPE}, privateKey.getEncoded());
    return PREFIX + verifier.keyId() + "+" + Base64.getEncoder().encodeToString(typed);
  }

  /** Returns the public half of this key. */
  public VerifierKey verifierKey() {
    return verifier;
  }

  /** Returns the key id {@code name+hex(keyhash)} carried on DSSE signatures. */
  public String keyId() {
    return verifier.keyId();
  }

  @Override
  public String name() {
    return verifier.name();
  }

  @Override
  public byte[] keyHash() {
    return verifier.keyHash();
  }

  /** Returns the 64-byte Ed25519 signature (RFC 8032 §5.1.6) over {@code message}. */
  @Override
  public byte[] sign(byte[] message) {
    return Ed25519.sign(privateKey, message);
  }

  @Override
  public String toString() {
    return "SigningKey[" + keyId() + "]";
  }
}
