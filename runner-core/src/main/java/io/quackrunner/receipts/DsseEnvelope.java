package io.quackrunner.receipts;

import java.util.List;

/**
 * A DSSE v1.0.2 envelope: payload type, payload bytes and signatures over PAE(type, payload).
 *
 * <p>Its JSON form is {@code {"payload": std-base64, "payloadType": ..., "signatures": [{"keyid":
 * ..., "sig": std-base64}]}}; see {@link Dsse} for writing and strict reading.
 *
 * @param payloadType the media type of the payload, e.g. {@code application/vnd.in-toto+json}
 * @param payload the signed bytes
 * @param signatures one or more signatures
 */
public record DsseEnvelope(String payloadType, byte[] payload, List<DsseSignature> signatures) {
  /** Copies the payload and signature list so the record stays immutable. */
  public DsseEnvelope {
    payload = payload.clone();
    signatures = List.copyOf(signatures);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }
}
