package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.Executor;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.logs.LogListener;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import io.quackrunner.tools.ToolRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A raw command is a run of the built-in tool {@code exec} through {@link RunService}: one record
 * with its origin, one receipt naming the command (also written to its out directory), a repeated
 * key replayed without executing, and recovery that interrupts — never resumes — a command a dead
 * process left queued.
 */
class CommandRunIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aKeyedCommandRunsOnceWithItsReceiptAndOrigin() throws Exception {
    Path state = stateDir();
    try (ReceiptLog log = ReceiptLog.open(state);
        RunService s = open(state, log)) {
      CommandRun first =
          s.exec(
              "local", command(state.resolve("out1")), "k1", null, RunOrigin.CLI, LogListener.NONE);
      RunRecord r = first.record();
      assertThat(first.replayed()).isFalse();
      assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(r.tool()).isEqualTo(CommandTool.TOOL);
      assertThat(RunOrigin.fromJson(r.originJson())).isEqualTo(RunOrigin.CLI);
      assertThat(Files.readString(first.outDir().resolve("reports/receipt.dsse.json")))
          .isEqualTo(r.receiptJson());
      JsonNode predicate = predicate(r.receiptJson());
      assertThat(predicate.at("/command/2").asText()).isEqualTo("echo hi");
      assertThat(predicate.at("/origin/front_end").asText()).isEqualTo("cli");

      CommandRun again =
          s.exec(
              "local", command(state.resolve("out2")), "k1", null, RunOrigin.CLI, LogListener.NONE);
      assertThat(again.replayed()).isTrue();
      assertThat(again.result()).isNull();
      assertThat(again.record().id()).isEqualTo(r.id());
      assertThat(again.outDir()).isEqualTo(first.outDir());
      assertThat(state.resolve("out2")).as("nothing executed").doesNotExist();
      assertThat(log.ledger().size()).isEqualTo(1);
    }
  }

  @Test
  void aCommandQueuedByADeadProcessIsInterruptedNotResumed() throws Exception {
    Path state = stateDir();
    RunRecord left =
        RunRecord.queued(
            Executor.newExecutionId(),
            "local",
            "key:left",
            "0".repeat(64),
            CommandTool.TOOL,
            "0",
            CommandTool.TOOL,
            "{\"argv\":[\"true\"],\"out_dir\":\"" + state.resolve("gone") + "\"}",
            Instant.now(),
            "dead:1");
    try (RunStore store = RunStore.open(state.resolve("runs.db"))) {
      store.claim(left);
    }
    try (ReceiptLog log = ReceiptLog.open(state);
        RunService s = open(state, log)) {
      assertThat(s.recover()).isEqualTo(new RunService.Recovery(1, 0));
      RunRecord r = s.store().find(left.id()).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
      assertThat(predicate(r.receiptJson()).at("/execution_id").asText()).isEqualTo(left.id());
      assertThat(state.resolve("gone")).doesNotExist();
    }
  }

  private static ExecRequest command(Path out) {
    return new ExecRequest(
        Executor.newExecutionId(), List.of("sh", "-c", "echo hi"), null, null, out, Map.of(), null);
  }

  private static RunService open(Path state, ReceiptLog log) {
    return RunService.open(
        new ServiceConfig(state, 1, 0),
        ToolRegistry.empty(),
        LimitsPolicy.builtIn(),
        new LedgerReceiptIssuer(log));
  }

  private static Path stateDir() throws Exception {
    Path state = Files.createTempDirectory("qr-command-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    return state;
  }

  private static JsonNode predicate(String envelope) throws Exception {
    String payload = JSON.readTree(envelope).get("payload").asText();
    return JSON.readTree(Base64.getDecoder().decode(payload)).get("predicate");
  }
}
