package io.quackrunner.receipts;

/**
 * One signature of a DSSE v1.0.2 envelope: the signer's key id and the raw signature bytes.
 *
 * @param keyid the signer's key id, {@code name+hex(keyhash)} for QuackRunner keys; a hint only
 * @param sig the raw signature, 64 bytes for Ed25519
 */
public record DsseSignature(String keyid, byte[] sig) {
  /** Copies the signature bytes so the record stays immutable. */
  public DsseSignature {
    sig = sig.clone();
  }

  @Override
  public byte[] sig() {
    return sig.clone();
  }
}
