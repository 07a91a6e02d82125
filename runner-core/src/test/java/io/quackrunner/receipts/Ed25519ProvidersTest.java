package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The receipts signer (Bouncy Castle) and the JDK's Ed25519 produce the same 64 bytes for the same
 * seed and message (RFC 8032 signatures are deterministic), and each verifies the other's.
 */
class Ed25519ProvidersTest {
  private static final byte[] PKCS8_PREFIX =
      HexFormat.of().parseHex("302e020100300506032b657004220420");

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1_000_003})
  void bouncyCastleAndTheJdkSignIdenticallyAndVerifyEachOther(long seedOfTest)
      throws GeneralSecurityException {
    Random random = new Random(seedOfTest);
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    SigningKey key = SigningKey.fromSeed("test", seed);
    byte[] message = Dsse.pae(ReceiptStatement.PAYLOAD_TYPE, receiptLikePayload(random));

    byte[] ours = key.sign(message);
    byte[] jdk = jdkSign(seed, message);

    assertThat(ours).hasSize(64).isEqualTo(jdk);
    byte[] publicKey = key.verifierKey().publicKey();
    assertThat(Ed25519.verify(publicKey, message, ours)).isTrue();
    assertThat(
            new Ed25519PublicKeyParameters(publicKey, 0)
                .verify(
                    org.bouncycastle.math.ec.rfc8032.Ed25519.Algorithm.Ed25519,
                    null,
                    message,
                    0,
                    message.length,
                    jdk,
                    0))
        .isTrue();
    message[message.length / 2] ^= 1;
    assertThat(Ed25519.verify(publicKey, message, ours)).isFalse();
  }

  private static byte[] jdkSign(byte[] seed, byte[] message) throws GeneralSecurityException {
    PrivateKey key =
        KeyFactory.getInstance("Ed25519")
            .generatePrivate(new PKCS8EncodedKeySpec(Ed25519.concat(PKCS8_PREFIX, seed)));
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key);
    signer.update(message);
    return signer.sign();
  }

  /** About 2 KB of JSON-ish text, the size of a receipt's JCS payload. */
  private static byte[] receiptLikePayload(Random random) {
    StringBuilder json = new StringBuilder("{\"_type\":\"https://in-toto.io/Statement/v1\"");
    while (json.length() < 2_000) {
      json.append(",\"k")
          .append(json.length())
          .append("\":\"")
          .append(random.nextLong())
          .append('"');
    }
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }
}
