package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * Ed25519 (RFC 8032): signing with Bouncy Castle's lightweight API, verifying with the JDK
 * provider.
 *
 * <p>Keys are the 32-byte seed (private) and the 32 raw bytes (public), as the key files and signed
 * notes hold them. Bouncy Castle signs 11 to 26 times faster than the JDK (docs/BENCHMARKS.md,
 * "Ed25519"); both produce the same bytes, since Ed25519 is deterministic ({@code
 * Ed25519ProvidersTest}). For the JDK a public key travels inside an X.509 SubjectPublicKeyInfo
 * (RFC 8410).
 */
final class Ed25519 {
  static final int KEY_SIZE = 32;
  static final int SIGNATURE_SIZE = 64;
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ed25519() {}

  /** Returns a fresh random 32-byte seed from the JDK's default {@link SecureRandom}. */
  static byte[] generateSeed() {
    byte[] seed = new byte[KEY_SIZE];
    RANDOM.nextBytes(seed);
    return seed;
  }

  /**
   * Returns the private key of a 32-byte seed.
   *
   * @throws RunnerException CONFIGURATION if the seed is not 32 bytes
   */
  static Ed25519PrivateKeyParameters privateKey(byte[] seed) {
    requireLength(seed, KEY_SIZE, "private key");
    return new Ed25519PrivateKeyParameters(seed, 0);
  }

  /** Returns the 32 raw bytes of the public key of {@code key} (RFC 8032 §5.1.5). */
  static byte[] rawPublicKey(Ed25519PrivateKeyParameters key) {
    return key.generatePublicKey().getEncoded();
  }

  /** Returns the 64-byte signature (RFC 8032 §5.1.6, pure Ed25519, no context) over message. */
  static byte[] sign(Ed25519PrivateKeyParameters key, byte[] message) {
    byte[] signature = new byte[SIGNATURE_SIZE];
    key.sign(
        org.bouncycastle.math.ec.rfc8032.Ed25519.Algorithm.Ed25519,
        null,
        message,
        0,
        message.length,
        signature,
        0);
    return signature;
  }

  static PublicKey publicKey(byte[] raw) {
    requireLength(raw, KEY_SIZE, "public key");
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(concat(SPKI_PREFIX, raw)));
    } catch (GeneralSecurityException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "not an Ed25519 public key", e);
    }
  }

  static byte[] rawPublicKey(PublicKey key) {
    return stripPrefix(key.getEncoded(), SPKI_PREFIX, "public key");
  }

  /**
   * Returns whether {@code signature} is valid; refuses any length but 64 bytes, because the JDK
   * (17 and later) accepts a valid signature with trailing bytes.
   */
  static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (signature == null || signature.length != SIGNATURE_SIZE || publicKey.length != KEY_SIZE) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(publicKey(publicKey));
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RunnerException e) {
      return false;
    }
  }

  private static byte[] stripPrefix(byte[] encoded, byte[] prefix, String what) {
    if (encoded == null
        || encoded.length != prefix.length + KEY_SIZE
        || !Arrays.equals(encoded, 0, prefix.length, prefix, 0, prefix.length)) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "unexpected Ed25519 " + what + " encoding");
    }
    return Arrays.copyOfRange(encoded, prefix.length, encoded.length);
  }

  private static void requireLength(byte[] raw, int length, String what) {
    if (raw == null || raw.length != length) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "an Ed25519 " + what + " is " + length + " bytes");
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
