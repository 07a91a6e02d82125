package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.runtime.LockFile;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A receipt's optional {@code lock_file}: written only when present, read as none when absent. */
class LockFileReceiptTest {
  private static final LockFile LOCK = new LockFile("package-lock.json", "ef".repeat(32));

  @Test
  void aLockFileRoundTripsAndItsAbsenceKeepsTheOldBytes() {
    ReceiptPredicate plain = SampleReceipts.succeeded("r", Map.of("a.txt", new byte[] {1}));
    byte[] before = ReceiptStatement.of(plain).canonicalJson();
    assertThat(new String(before, StandardCharsets.UTF_8)).doesNotContain("lock_file");
    assertThat(ReceiptStatement.parse(before).predicate().lockFile()).isNull();
    // Adding nothing leaves the bytes as they were.
    assertThat(ReceiptStatement.of(plain.withLockFile(null)).canonicalJson()).isEqualTo(before);

    ReceiptPredicate locked = plain.withLockFile(LOCK);
    byte[] bytes = ReceiptStatement.of(locked).canonicalJson();
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains("\"lock_file\":{\"name\":\"package-lock.json\",\"sha256\":\"" + LOCK.sha256());
    ReceiptPredicate read = ReceiptStatement.parse(bytes).predicate();
    assertThat(read.lockFile()).isEqualTo(LOCK);
    assertThat(read).isEqualTo(locked);
    // Carried by every other with-method.
    assertThat(read.withSecrets(java.util.List.of("s")).withNetwork(null).lockFile())
        .isEqualTo(LOCK);
  }

  @Test
  void aMalformedLockFileIsAVerificationFailure() {
    ReceiptPredicate locked =
        SampleReceipts.succeeded("r", Map.of("a.txt", new byte[] {1})).withLockFile(LOCK);
    for (String bad : new String[] {"yarn.lock", null}) {
      ObjectNode json = (ObjectNode) ReceiptStatement.of(locked).toJson();
      ObjectNode lock = (ObjectNode) json.get("predicate").get("lock_file");
      lock.put("name", bad);
      byte[] bytes = Jcs.canonicalize(json);
      assertThatThrownBy(() -> ReceiptStatement.parse(bytes))
          .isInstanceOf(RunnerException.class)
          .satisfies(
              e ->
                  assertThat(((RunnerException) e).kind())
                      .isEqualTo(ErrorKind.VERIFICATION_FAILED));
    }
    ObjectNode json = (ObjectNode) ReceiptStatement.of(locked).toJson();
    ((ObjectNode) json.get("predicate").get("lock_file")).put("extra", 1);
    assertThatThrownBy(() -> ReceiptStatement.parse(Jcs.canonicalize(json)))
        .isInstanceOf(RunnerException.class);
  }
}
