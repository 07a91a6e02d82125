package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runner exec} honours the tenant's {@code triggers.yaml} as the gateway does: without the
 * required trigger nothing runs (a REJECTED record, no receipt); a trigger signed for the command's
 * binding runs it once and its receipt records the trigger; the same trigger for another command is
 * refused.
 */
class ExecTriggerIT {
  @TempDir Path work;

  @Test
  void execRunsOnlyWithTheTriggerItsTenantRequiresAndEachLinkOnce() throws Exception {
    RunnerProcess runner = RunnerProcess.withState(work);
    String key = runner.run("keys", "show", "--trigger").succeeds().stdoutLines().get(0);
    Path state = runner.state();
    Files.writeString(
        state.resolve("triggers.yaml"),
        "triggers: 1\ntenants:\n  local:\n    require_trigger: true\n    trigger_keys:\n"
            + "      - key: "
            + key
            + "\n        tools: [exec]\n");

    runner
        .run("exec", "--", "sh", "-c", "echo ran; touch /tmp/never")
        .failsWithOneLine(125, "invalid trigger (required)");
    assertThat(count(state, "status = 'REJECTED'")).isEqualTo(1);
    assertThat(count(state, "status <> 'REJECTED'")).isZero();
    assertThat(count(state, "receipt_json IS NOT NULL")).isZero();

    Path binding = work.resolve("binding.json");
    Files.writeString(
        binding, runner.run("exec", "--print-binding", "--", "echo", "hi").succeeds().stdout());
    JsonNode b = new ObjectMapper().readTree(binding.toFile());
    assertThat(b.get("tool").asText()).isEqualTo("exec");
    assertThat(b.get("request_sha256").asText()).matches("[0-9a-f]{64}");
    assertThat(count(state, "status <> 'REJECTED'")).as("--print-binding runs nothing").isZero();
    Path trigger = work.resolve("trigger.json");
    Files.writeString(
        trigger,
        runner
            .run("trigger", "sign", "--request", binding.toString(), "--link-id", "exec-L1")
            .succeeds()
            .stdout());

    var first = runner.run("exec", "--trigger", trigger.toString(), "--", "echo", "hi");
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(first.stdout()).isEqualTo("hi\n");
    var again = runner.run("exec", "--trigger", trigger.toString(), "--", "echo", "hi");
    assertThat(again.exitCode()).isZero();
    assertThat(again.stderr()).contains("already ran", "nothing was executed");
    assertThat(count(state, "status = 'SUCCEEDED'")).isEqualTo(1);
    assertThat(count(state, "trigger_hash LIKE 'link:sha256:%'")).isEqualTo(1);

    JsonNode env = new ObjectMapper().readTree(receipt(state));
    JsonNode statement =
        new ObjectMapper().readTree(Base64.getDecoder().decode(env.get("payload").asText()));
    assertThat(statement.at("/predicate/trigger/link_id").asText()).isEqualTo("exec-L1");
    assertThat(statement.at("/predicate/trigger_hash").asText()).startsWith("link:sha256:");

    runner
        .run("exec", "--trigger", trigger.toString(), "--", "echo", "bye")
        .failsWithOneLine(125, "not-bound");
    assertThat(count(state, "status = 'REJECTED'")).isEqualTo(2);
    assertThat(runner.run("ledger", "verify").succeeds().stdout())
        .isEqualTo("ok: 1 entries verified\n");
  }

  private static long count(Path state, String where) throws Exception {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + state.resolve("runs.db"));
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM runs WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String receipt(Path state) throws Exception {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + state.resolve("runs.db"));
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT receipt_json FROM runs WHERE status = 'SUCCEEDED'")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
