package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.ledger.Checkpoint;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.ledger.SqliteLedgerStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptVerifierTest {
  private static final String ORIGIN = "quackrunner.test/ledger";
  private static final byte[] REPORT = "%PDF-1.7 report".getBytes(StandardCharsets.UTF_8);
  private static final byte[] TABLE = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);

  @TempDir Path state;
  @TempDir Path out;
  private KeyRing ring;
  private ReceiptStatement statement;
  private byte[] envelope;

  @BeforeEach
  void sign() throws Exception {
    ring = KeyRing.open(state, ORIGIN);
    Files.createDirectories(out.resolve("data"));
    Files.write(out.resolve("report.pdf"), REPORT);
    Files.write(out.resolve("data/table.csv"), TABLE);
    statement =
        ReceiptStatement.of(
            SampleReceipts.succeeded(
                "run-7", Map.of("report.pdf", REPORT, "data/table.csv", TABLE)));
    envelope = new ReceiptSigner(ring).sign(statement);
  }

  private VerificationReport verify(byte[] env, Path dir, LedgerEvidence evidence) {
    return ReceiptVerifier.of(ring).verify(env, dir, evidence);
  }

  @Test
  void signedReceiptPassesEveryCheckWithOnlyTheKeyText() {
    String keyText = ring.active().verifierKey().text();
    VerificationReport r =
        new ReceiptVerifier(List.of(VerifierKey.parse(keyText))).verify(envelope, out, null);
    assertThat(r.ok()).as(r.results().toString()).isTrue();
    assertThat(r.result(ReceiptCheck.SIGNATURE).outcome()).isEqualTo(CheckResult.Outcome.PASS);
    assertThat(r.result(ReceiptCheck.CANONICAL).outcome()).isEqualTo(CheckResult.Outcome.PASS);
    assertThat(r.result(ReceiptCheck.ARTIFACTS).reason()).isEqualTo("2 artifact(s) match");
    assertThat(r.result(ReceiptCheck.INCLUSION).outcome()).isEqualTo(CheckResult.Outcome.SKIPPED);
    assertThat(r.result(ReceiptCheck.CONSISTENCY).outcome()).isEqualTo(CheckResult.Outcome.SKIPPED);
    assertThat(r.statement()).contains(statement);
    DsseEnvelope env = Dsse.parse(envelope);
    assertThat(env.payloadType()).isEqualTo("application/vnd.in-toto+json");
    assertThat(env.payload()).isEqualTo(statement.canonicalJson());
  }

  @Test
  void alteredPayloadFailsSignature() {
    String json = new String(envelope, StandardCharsets.UTF_8);
    DsseEnvelope env = Dsse.parse(envelope);
    byte[] payload = env.payload();
    payload[payload.length / 2] ^= 0x01;
    String altered =
        json.replace(
            Base64.getEncoder().encodeToString(env.payload()),
            Base64.getEncoder().encodeToString(payload));
    VerificationReport r = verify(altered.getBytes(StandardCharsets.UTF_8), null, null);
    assertThat(r.result(ReceiptCheck.SIGNATURE).outcome()).isEqualTo(CheckResult.Outcome.FAIL);
    assertThat(r.result(ReceiptCheck.SIGNATURE).reason()).contains("does not verify");
  }

  @Test
  void substituteKeyAndUnknownKeyidFailSignature() {
    SigningKey impostor = SigningKey.generate(ORIGIN);
    VerificationReport r = verify(new ReceiptSigner(impostor).sign(statement), null, null);
    assertThat(r.result(ReceiptCheck.SIGNATURE).reason())
        .contains("no trusted key has keyid " + impostor.keyId());

    // Claiming the trusted key id with another key's signature.
    DsseEnvelope forged =
        Dsse.sign(ReceiptStatement.PAYLOAD_TYPE, statement.canonicalJson(), impostor);
    DsseEnvelope relabelled =
        new DsseEnvelope(
            forged.payloadType(),
            forged.payload(),
            List.of(new DsseSignature(ring.active().keyId(), forged.signatures().get(0).sig())));
    r = verify(Dsse.write(relabelled), null, null);
    assertThat(r.result(ReceiptCheck.SIGNATURE).outcome()).isEqualTo(CheckResult.Outcome.FAIL);
    assertThat(r.result(ReceiptCheck.SIGNATURE).reason()).contains("does not verify");
  }

  @Test
  void sixtyFiveByteSignatureFails() {
    DsseEnvelope env = Dsse.parse(envelope);
    byte[] sig = Arrays.copyOf(env.signatures().get(0).sig(), 65);
    sig[64] = 0x07;
    DsseEnvelope longer =
        new DsseEnvelope(
            env.payloadType(),
            env.payload(),
            List.of(new DsseSignature(ring.active().keyId(), sig)));
    VerificationReport r = verify(Dsse.write(longer), null, null);
    assertThat(r.result(ReceiptCheck.SIGNATURE).outcome()).isEqualTo(CheckResult.Outcome.FAIL);
  }

  @Test
  void nonCanonicalPayloadFailsCanonicalEvenWhenValidlySigned() {
    byte[] pretty = statement.toJson().toPrettyString().getBytes(StandardCharsets.UTF_8);
    byte[] env = Dsse.write(Dsse.sign(ReceiptStatement.PAYLOAD_TYPE, pretty, ring.active()));
    VerificationReport r = verify(env, null, null);
    assertThat(r.result(ReceiptCheck.SIGNATURE).outcome()).isEqualTo(CheckResult.Outcome.PASS);
    assertThat(r.result(ReceiptCheck.CANONICAL).outcome()).isEqualTo(CheckResult.Outcome.FAIL);
    assertThat(r.ok()).isFalse();
  }

  @Test
  void alteredMissingAndLinkedArtifactsFail() throws Exception {
    Files.write(out.resolve("report.pdf"), "%PDF-1.7 forged".getBytes(StandardCharsets.UTF_8));
    assertThat(verify(envelope, out, null).result(ReceiptCheck.ARTIFACTS).reason())
        .contains("report.pdf: sha256");
    Files.delete(out.resolve("report.pdf"));
    assertThat(verify(envelope, out, null).result(ReceiptCheck.ARTIFACTS).reason())
        .contains("report.pdf: missing");
    Path real = Files.write(state.resolve("real.pdf"), REPORT);
    Files.createSymbolicLink(out.resolve("report.pdf"), real);
    assertThat(verify(envelope, out, null).result(ReceiptCheck.ARTIFACTS).reason())
        .contains("report.pdf: is a symbolic link");
    Files.delete(out.resolve("report.pdf"));
    Files.write(out.resolve("report.pdf"), REPORT);
    Path elsewhere = Files.createDirectories(state.resolve("elsewhere"));
    Files.write(elsewhere.resolve("table.csv"), TABLE);
    Files.delete(out.resolve("data/table.csv"));
    Files.delete(out.resolve("data"));
    Files.createSymbolicLink(out.resolve("data"), elsewhere);
    VerificationReport r = verify(envelope, out, null);
    assertThat(r.result(ReceiptCheck.ARTIFACTS).outcome()).isEqualTo(CheckResult.Outcome.FAIL);
    assertThat(r.result(ReceiptCheck.ARTIFACTS).reason())
        .contains("a directory on its path is a symbolic link");
  }

  @Test
  void inclusionAndConsistencyAgainstTheLedger() {
    try (Ledger ledger =
        Ledger.open(SqliteLedgerStore.open(state.resolve("ledger.db")), ORIGIN, ring.active())) {
      ReceiptSigner signer = new ReceiptSigner(ring);
      for (int i = 0; i < 5; i++) {
        ledger.append(
            signer.sign(ReceiptStatement.of(SampleReceipts.succeeded("before-" + i, Map.of()))));
      }
      String earlier = ledger.checkpoint().text();
      ledger.append(envelope);
      for (int i = 0; i < 9; i++) {
        ledger.append(
            signer.sign(ReceiptStatement.of(SampleReceipts.succeeded("after-" + i, Map.of()))));
      }
      LedgerEvidence evidence = LedgerEvidence.from(ledger, envelope, earlier);
      VerificationReport r = verify(envelope, out, evidence);
      assertThat(r.ok()).as(r.results().toString()).isTrue();
      assertThat(r.result(ReceiptCheck.INCLUSION).reason())
          .isEqualTo("entry 5 of " + ORIGIN + " at size 15");
      assertThat(r.result(ReceiptCheck.CONSISTENCY).reason())
          .isEqualTo("size 5 is a prefix of size 15");

      // Another receipt does not fit this proof.
      byte[] other = signer.sign(ReceiptStatement.of(SampleReceipts.succeeded("other", Map.of())));
      assertThat(verify(other, null, evidence).result(ReceiptCheck.INCLUSION).outcome())
          .isEqualTo(CheckResult.Outcome.FAIL);

      // A checkpoint of a forked log (same size, other root) is not consistent.
      Checkpoint fork = Checkpoint.sign(ORIGIN, 5, new byte[32], ring.active());
      LedgerEvidence forked =
          new LedgerEvidence(
              evidence.checkpoint(), evidence.inclusion(), fork, evidence.consistency());
      assertThat(verify(envelope, null, forked).result(ReceiptCheck.CONSISTENCY).reason())
          .contains("is not a prefix");

      // A checkpoint signed by someone else is refused.
      Checkpoint foreign =
          Checkpoint.sign(
              ORIGIN, 15, evidence.checkpoint().rootHash(), SigningKey.generate(ORIGIN));
      LedgerEvidence unsigned = new LedgerEvidence(foreign, evidence.inclusion(), null, null);
      assertThat(verify(envelope, null, unsigned).result(ReceiptCheck.INCLUSION).reason())
          .contains("no signature by a known key");
    }
  }

  @Test
  void receiptsSignedBeforeRotationStillVerify() {
    VerifierKey old = ring.active().verifierKey();
    ring.rotate();
    assertThat(ring.active().verifierKey()).isNotEqualTo(old);
    VerificationReport r =
        ReceiptVerifier.of(KeyRing.open(state, ORIGIN)).verify(envelope, out, null);
    assertThat(r.ok()).as(r.results().toString()).isTrue();
    assertThat(r.result(ReceiptCheck.SIGNATURE).reason()).isEqualTo("signed by " + old.keyId());
  }

  @Test
  void garbageIsReportedNotThrown() {
    VerificationReport r = verify("not json".getBytes(StandardCharsets.UTF_8), out, null);
    assertThat(r.ok()).isFalse();
    assertThat(r.result(ReceiptCheck.SIGNATURE).outcome()).isEqualTo(CheckResult.Outcome.FAIL);
    assertThat(r.result(ReceiptCheck.ARTIFACTS).outcome()).isEqualTo(CheckResult.Outcome.SKIPPED);
  }
}
