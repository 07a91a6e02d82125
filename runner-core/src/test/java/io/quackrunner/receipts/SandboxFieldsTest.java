package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A receipt's sandbox says host with no digest, or an image with exactly its digest. */
class SandboxFieldsTest {
  private static final String D = "sha256:" + "ab".repeat(32);

  @Test
  void hostHasNoDigestAndAnImageHasItsOwn() {
    assertThat(new ReceiptPredicate.Sandbox("bubblewrap", "0.8.0", true).image()).isEqualTo("host");
    assertThat(new ReceiptPredicate.Sandbox("bubblewrap", "0.8.0", true).containerDigest())
        .isNull();
    assertThat(
            new ReceiptPredicate.Sandbox("bubblewrap", "0.8.0", true, "py@" + D, D)
                .containerDigest())
        .isEqualTo(D);
    assertThatThrownBy(() -> new ReceiptPredicate.Sandbox("bubblewrap", "0.8.0", true, "host", D))
        .hasMessageContaining("container_digest");
    assertThatThrownBy(
            () -> new ReceiptPredicate.Sandbox("bubblewrap", "0.8.0", true, "py@" + D, null))
        .hasMessageContaining("container_digest");
    assertThatThrownBy(
            () ->
                new ReceiptPredicate.Sandbox(
                    "bubblewrap", "0.8.0", true, "py@" + D, "sha256:" + "cd".repeat(32)))
        .hasMessageContaining("container_digest");
    // A receipt signed before images carries neither field and still parses.
    assertThat(new ReceiptPredicate.Sandbox("bubblewrap", "0.8.0", true, null, null).image())
        .isNull();
  }
}
