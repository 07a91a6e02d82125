package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.function.Supplier;

/**
 * Signs receipts: RFC 8785 canonical statement, DSSE v1.0.2 envelope, Ed25519 signature.
 *
 * <p>The envelope's payloadType is {@value ReceiptStatement#PAYLOAD_TYPE}; the output is the
 * envelope as canonical JSON, the exact bytes the ledger stores.
 */
public final class ReceiptSigner {
  private final Supplier<SigningKey> key;

  /** Creates a signer that always signs with the key ring's current active key. */
  public ReceiptSigner(KeyRing keys) {
    this.key = keys::active;
  }

  /** Creates a signer with one fixed key. */
  public ReceiptSigner(SigningKey key) {
    this.key = () -> key;
  }

  /**
   * Returns the signed DSSE envelope of {@code statement} as UTF-8 JSON bytes.
   *
   * @throws RunnerException RECEIPT_COMMIT_FAILED if the statement cannot be canonicalized or
   *     signed
   */
  public byte[] sign(ReceiptStatement statement) {
    try {
      byte[] payload = statement.canonicalJson();
      return Dsse.write(Dsse.sign(ReceiptStatement.PAYLOAD_TYPE, payload, key.get()));
    } catch (RunnerException e) {
      throw new RunnerException(
          ErrorKind.RECEIPT_COMMIT_FAILED, "cannot sign receipt: " + e.getMessage(), e);
    }
  }
}
