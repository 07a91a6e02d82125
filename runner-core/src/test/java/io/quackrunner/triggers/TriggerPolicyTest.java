package io.quackrunner.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.receipts.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** triggers.yaml is validated at start, and each error names file:line like the registry's. */
class TriggerPolicyTest {
  static final String KEY = SigningKey.generate("caller.example/t").verifierKey().text();

  static TriggerPolicy parse(String yaml) {
    return TriggerPolicy.parse(yaml.getBytes(StandardCharsets.UTF_8), "triggers.yaml");
  }

  @Test
  void readsATenantsRules() {
    TriggerPolicy p =
        parse(
            "triggers: 1\ntenants:\n  alice:\n    require_trigger: true\n    clock_skew: 2s\n"
                + "    trigger_keys:\n      - key: "
                + KEY
                + "\n        tools: [sh]\n");
    TriggerPolicy.Rules r = p.rules("alice");
    assertThat(r.requireTrigger()).isTrue();
    assertThat(r.requireAnchoring()).isFalse();
    assertThat(r.clockSkew()).isEqualTo(Duration.ofSeconds(2));
    assertThat(r.triggerKeys()).hasSize(1);
    assertThat(r.triggerKeys().get(0).allows("sh")).isTrue();
    assertThat(r.triggerKeys().get(0).allows("cc")).isFalse();
    assertThat(p.rules("nobody").requireTrigger()).isFalse();
    assertThat(p.rules("nobody").triggerKeys()).isEmpty();
  }

  @Test
  void namesTheLineOfEachError() {
    assertError("triggers: 2\ntenants: {}\n", "triggers.yaml:1: 'triggers: 1' is required");
    assertError(
        "triggers: 1\ntenants:\n  alice:\n    require_trigger: yes please\n",
        "triggers.yaml:4: 'require_trigger' must be true or false");
    assertError(
        "triggers: 1\ntenants:\n  alice:\n    requires_trigger: true\n",
        "triggers.yaml:4: unknown key 'requires_trigger'");
    assertError(
        "triggers: 1\ntenants:\n  alice:\n    trigger_keys:\n      - key: not-a-key\n        tools: [sh]\n",
        "triggers.yaml:5: not a verifier key");
    assertError(
        "triggers: 1\ntenants:\n  alice:\n    trigger_keys:\n      - key: " + KEY + "\n",
        "triggers.yaml:5: 'tools' must be a non-empty list");
    assertError(
        "triggers: 1\ntenants:\n  alice:\n    require_anchoring: true\n",
        "triggers.yaml:4: anchoring is required but no checkpoint_keys");
    assertError(
        "triggers: 1\ntenants:\n  alice:\n    clock_skew: soon\n",
        "triggers.yaml:4: not a duration");
  }

  private static void assertError(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining(message)
        .satisfies(
            e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.CONFIGURATION));
  }
}
