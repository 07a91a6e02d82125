package io.quackrunner.temporal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The derived idempotency key: one per activity of one workflow execution, the same for every
 * attempt of it (the attempt number is not an input), different for anything else.
 */
class TriggersTest {
  @Test
  void theKeyIsAFunctionOfTheActivitysIdentityOnly() {
    String k = Triggers.key("default", "wf-1", "run-a", "1");
    assertThat(Triggers.key("default", "wf-1", "run-a", "1")).isEqualTo(k);
    assertThat(k).matches("temporal-v1:[0-9a-f]{64}");
    // The hash of "7:default\n4:wf-1\n5:run-a\n1:1\n", fixed so the key cannot drift between
    // worker versions sharing a state directory (a drift would re-execute retried activities).
    assertThat(k)
        .isEqualTo(
            "temporal-v1:"
                + io.quackrunner.receipts.TriggerHashes.sha256(
                    "7:default\n4:wf-1\n5:run-a\n1:1\n"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void everyFieldSeparatesKeysAndNoTwoTuplesShareAnEncoding() {
    List<String[]> tuples =
        List.of(
            new String[] {"default", "wf-1", "run-a", "1"},
            new String[] {"other", "wf-1", "run-a", "1"},
            new String[] {"default", "wf-2", "run-a", "1"},
            new String[] {"default", "wf-1", "run-b", "1"}, // continue-as-new, cron, reset
            new String[] {"default", "wf-1", "run-a", "2"},
            new String[] {"default", "wf-1run-a", "", "1"},
            new String[] {"default", "wf-", "1\n5:run-a", "1"},
            new String[] {"défault", "wf-1", "run-a", "1"});
    Set<String> keys = new HashSet<>();
    for (String[] t : tuples) {
      keys.add(Triggers.key(t[0], t[1], t[2], t[3]));
    }
    assertThat(keys).hasSize(tuples.size());
  }
}
