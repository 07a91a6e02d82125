package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.receipts.SigningKey;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.store.NodeKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A {@code node_keys} row becomes a verifier key only when its public key hashes to its key id. */
class KeyListingTest {
  @Test
  void aRowBecomesItsVerifierKey() {
    VerifierKey k = SigningKey.generate("quackrunner.local/abcd1234").verifierKey();
    NodeKey row = new NodeKey(b64(k), k.keyId(), "node-a", 1);
    assertThat(KeyListing.key(row)).isEqualTo(k);
  }

  @Test
  void aRowWhoseKeyDoesNotHashToItsIdIsRefused() {
    VerifierKey k = SigningKey.generate("quackrunner.local/abcd1234").verifierKey();
    VerifierKey other = SigningKey.generate("quackrunner.local/abcd1234").verifierKey();
    NodeKey row = new NodeKey(b64(other), k.keyId(), "node-a", 1);
    assertThatThrownBy(() -> KeyListing.key(row))
        .isInstanceOf(RunnerException.class)
        .satisfies(e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.CONFIGURATION))
        .hasMessageContaining("not its listed key id");
  }

  private static String b64(VerifierKey k) {
    return Base64.getEncoder().encodeToString(k.publicKey());
  }
}
