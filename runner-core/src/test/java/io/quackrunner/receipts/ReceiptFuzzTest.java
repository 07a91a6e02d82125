package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quackrunner.errors.RunnerException;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes envelope and receipt verification (docs/FUZZING.md). Without {@code JAZZER_FUZZ} each
 * target replays its seeds in {@code ReceiptFuzzTestInputs/<method>/}.
 */
class ReceiptFuzzTest {
  /** The fixed key the seed envelopes are signed with (RFC 8032 seed of 32 bytes 0x2a). */
  static final SigningKey KEY = SigningKey.fromSeed("fuzz.quackrunner/receipts", seed());

  private static final ReceiptVerifier VERIFIER = new ReceiptVerifier(List.of(KEY.verifierKey()));

  private static byte[] seed() {
    byte[] s = new byte[32];
    Arrays.fill(s, (byte) 0x2a);
    return s;
  }

  /**
   * Any bytes as an envelope: {@code Dsse.parse} returns or throws RunnerException; a parsed
   * envelope writes and re-parses to the same envelope; {@code verify} never throws, and is ok only
   * for a payload this key really signed (the fuzzer cannot forge Ed25519, so only the seeds'
   * payloads can pass).
   */
  @FuzzTest
  void envelopeBytes(byte[] data) {
    try {
      DsseEnvelope env = Dsse.parse(data);
      DsseEnvelope again = Dsse.parse(Dsse.write(env));
      assertThat(again.payloadType()).isEqualTo(env.payloadType());
      assertThat(again.payload()).isEqualTo(env.payload());
      assertThat(again.signatures()).hasSameSizeAs(env.signatures());
    } catch (RunnerException e) {
      // refused: the only allowed failure
    }
    VerificationReport report = VERIFIER.verify(data, null, null);
    assertThat(report.results()).hasSize(ReceiptCheck.values().length);
    if (report.ok()) {
      DsseEnvelope env = Dsse.parse(data);
      byte[] pae = Dsse.pae(env.payloadType(), env.payload());
      assertThat(env.signatures())
          .anySatisfy(
              s -> {
                assertThat(s.keyid()).isEqualTo(KEY.keyId());
                assertThat(s.sig()).hasSize(64);
                assertThat(KEY.verifierKey().verify(pae, s.sig())).isTrue();
              });
      assertThat(report.statement()).isPresent();
    }
  }

  /**
   * Any bytes as a payload, truly signed: SIGNATURE passes, nothing throws, and the report is ok
   * exactly when the payload is canonical JSON and a well-formed receipt statement.
   */
  @FuzzTest
  void signedPayload(byte[] payload) {
    byte[] envelope = Dsse.write(Dsse.sign(ReceiptStatement.PAYLOAD_TYPE, payload, KEY));
    VerificationReport report = VERIFIER.verify(envelope, null, null);
    assertThat(report.result(ReceiptCheck.SIGNATURE).outcome()).isEqualTo(CheckResult.Outcome.PASS);
    boolean statement;
    try {
      statement =
          Arrays.equals(payload, Jcs.canonicalize(payload))
              && ReceiptStatement.parse(payload) != null;
    } catch (RunnerException e) {
      statement = false;
    }
    assertThat(report.ok()).isEqualTo(statement);
    assertThat(report.statement().isPresent()).isEqualTo(statement);
    if (statement) {
      // A statement that parsed writes back to the very bytes that were signed.
      assertThat(report.statement().get().canonicalJson()).isEqualTo(payload);
    }
  }

  /**
   * A signed envelope with one fuzzed field: a changed type, payload byte or signature byte never
   * verifies.
   */
  @FuzzTest
  void tamperedEnvelope(FuzzedDataProvider data) {
    byte[] payload = SampleReceiptsPayload.PAYLOAD;
    DsseEnvelope good = Dsse.sign(ReceiptStatement.PAYLOAD_TYPE, payload, KEY);
    byte[] p = payload.clone();
    byte[] sig = good.signatures().get(0).sig().clone();
    String type = good.payloadType();
    switch (data.consumeInt(0, 2)) {
      case 0 -> p[data.consumeInt(0, p.length - 1)] ^= (byte) data.consumeInt(1, 255);
      case 1 -> sig[data.consumeInt(0, sig.length - 1)] ^= (byte) data.consumeInt(1, 255);
      default -> {
        String t = data.consumeRemainingAsString();
        if (t.equals(type)) {
          return;
        }
        type = t;
      }
    }
    byte[] envelope;
    try {
      envelope =
          Dsse.write(new DsseEnvelope(type, p, List.of(new DsseSignature(KEY.keyId(), sig))));
    } catch (RunnerException e) {
      return; // a type with a lone surrogate has no JSON form; nothing to verify
    }
    assertThat(VERIFIER.verify(envelope, null, null).result(ReceiptCheck.SIGNATURE).outcome())
        .isEqualTo(CheckResult.Outcome.FAIL);
  }

  /**
   * RFC 8785 on arbitrary bytes: {@code Jcs.canonicalize} returns or throws RunnerException, and
   * its output is a fixed point: canonicalize(canonicalize(x)) == canonicalize(x).
   */
  @FuzzTest
  void jcsIsIdempotent(byte[] json) {
    byte[] once;
    try {
      once = Jcs.canonicalize(json);
    } catch (RunnerException e) {
      return;
    }
    assertThat(Jcs.canonicalize(once)).isEqualTo(once);
  }
}
