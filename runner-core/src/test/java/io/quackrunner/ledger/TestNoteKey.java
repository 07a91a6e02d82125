package io.quackrunner.ledger;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Arrays;

/** A throwaway Ed25519 signed-note key for ledger tests, independent of the receipts package. */
final class TestNoteKey implements NoteSigner, NoteVerifier {
  private final String name;
  private final KeyPair pair;
  private final byte[] keyHash;

  TestNoteKey(String name) {
    try {
      this.name = name;
      this.pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] encoded = pair.getPublic().getEncoded();
      byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((name + "\n").getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 1);
      this.keyHash = Arrays.copyOf(sha.digest(raw), 4);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte[] keyHash() {
    return keyHash.clone();
  }

  @Override
  public byte[] sign(byte[] message) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(pair.getPrivate());
      s.update(message);
      return s.sign();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean verify(byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(pair.getPublic());
      s.update(message);
      return signature.length == 64 && s.verify(signature);
    } catch (Exception e) {
      return false;
    }
  }
}
