package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.server.RunRequestJson;
import io.quackrunner.triggers.InvalidTrigger;
import io.quackrunner.triggers.SignedTrigger;
import io.quackrunner.triggers.TriggerPolicy;
import io.quackrunner.triggers.TriggerVerifier;
import io.quackrunner.triggers.VerifiedTrigger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runner keys show --trigger} and {@code runner trigger sign} through the real launcher: the
 * trigger it prints binds the request and is accepted by a policy trusting the printed key.
 */
class TriggerCliIT {
  @TempDir Path work;

  @Test
  void signsATriggerThatBindsTheRequestWithTheSeparateTriggerKey() throws Exception {
    RunnerProcess runner = RunnerProcess.withState(work);
    String triggerKey = runner.run("keys", "show", "--trigger").succeeds().stdoutLines().get(0);
    String receiptKey = runner.run("keys", "show").succeeds().stdoutLines().get(0);
    assertThat(triggerKey).startsWith("quackrunner-trigger+").isNotEqualTo(receiptKey);
    Path req = work.resolve("req.json");
    String body =
        "{\"tool\":\"sh\",\"version\":\"1\",\"verb\":\"run\",\"params\":{\"script\":\"echo hi\"},"
            + "\"inputs\":[{\"name\":\"a.txt\",\"content_base64\":\"aGk=\"}]}";
    Files.writeString(req, body);
    String out =
        runner
            .run(
                "trigger",
                "sign",
                "--request",
                req.toString(),
                "--link-id",
                "L-1",
                "--valid-for",
                "10m",
                "--link-out",
                work.resolve("link.json").toString())
            .succeeds()
            .stdout();
    ObjectMapper json = new ObjectMapper();
    SignedTrigger t = SignedTrigger.parse(json.readTree(out));
    assertThat(Files.readAllBytes(work.resolve("link.json"))).isEqualTo(t.envelope().payload());
    String yaml =
        "triggers: 1\ntenants:\n  a:\n    require_trigger: true\n    trigger_keys:\n"
            + "      - key: "
            + triggerKey
            + "\n        tools: [sh]\n";
    TriggerPolicy policy =
        TriggerPolicy.parse(yaml.getBytes(StandardCharsets.UTF_8), "triggers.yaml");
    var bound =
        new TriggerVerifier.Bound(
            "sh", "1", "run", RunRequestJson.bindingSha256(json.readTree(body)));
    VerifiedTrigger v = TriggerVerifier.verify(policy.rules("a"), t, bound, Instant.now());
    assertThat(v.linkId()).isEqualTo("L-1");
    assertThat(v.signerKeyId()).isEqualTo(VerifierKey.parse(triggerKey).keyId());
    // The same trigger does not bind a request whose script differs.
    String other = body.replace("echo hi", "echo bye");
    var otherBound =
        new TriggerVerifier.Bound(
            "sh", "1", "run", RunRequestJson.bindingSha256(json.readTree(other)));
    Assertions.assertThatThrownBy(
            () -> TriggerVerifier.verify(policy.rules("a"), t, otherBound, Instant.now()))
        .isInstanceOf(InvalidTrigger.class)
        .hasMessageContaining("not-bound");
    runner
        .run("trigger", "sign", "--request", req.toString(), "--link-id", "L-2", "--proof", "x")
        .failsWithOneLine(125, "--checkpoint and --proof go together");
  }
}
