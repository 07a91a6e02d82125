package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Ed25519 (RFC 8032) over the JDK provider, converting between raw 32-byte keys and JDK keys.
 *
 * <p>Public keys travel as the 32 raw bytes; the JDK wants them inside an X.509
 * SubjectPublicKeyInfo (RFC 8410), private keys as the 32-byte seed inside PKCS #8.
 */
final class Ed25519 {
  static final int KEY_SIZE = 32;
  static final int SIGNATURE_SIZE = 64;
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final byte[] PKCS8_PREFIX =
      HexFormat.of().parseHex("302e020100300506032b657004220420");

  private Ed25519() {}

  static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "the JDK lacks Ed25519", e);
    }
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

  static PrivateKey privateKey(byte[] seed) {
    requireLength(seed, KEY_SIZE, "private key");
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
    } catch (GeneralSecurityException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "not an Ed25519 private key", e);
    }
  }

  static byte[] seed(PrivateKey key) {
    return stripPrefix(key.getEncoded(), PKCS8_PREFIX, "private key");
  }

  static PublicKey publicKeyOf(byte[] seed) {
    // The JDK derives no public key from a private one, so sign-and-recover is not available;
    // RFC 8032 §5.1.5 key generation is what KeyPairGenerator does with a fixed seed.
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(255, new FixedSeed(seed));
      return generator.generateKeyPair().getPublic();
    } catch (GeneralSecurityException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "the JDK lacks Ed25519", e);
    }
  }

  static byte[] sign(PrivateKey key, byte[] message) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(key);
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new RunnerException(ErrorKind.RECEIPT_COMMIT_FAILED, "Ed25519 signing failed", e);
    }
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

  /** Feeds the given seed to the Ed25519 key generator, which draws exactly 32 bytes. */
  private static final class FixedSeed extends java.security.SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedSeed(byte[] seed) {
      super(new byte[0]);
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != seed.length) {
        throw new IllegalStateException("Ed25519 key generation drew " + bytes.length + " bytes");
      }
      System.arraycopy(seed, 0, bytes, 0, bytes.length);
    }
  }
}
