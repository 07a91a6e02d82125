package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.artifacts.Sha256Sums;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.runtime.LockFile;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.store.RunRecord;
import io.quackrunner.tools.ToolRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registered tool version whose {@code files} ship {@code package-lock.json} runs through the
 * service (its files copied to {@code /workspace/in/_tool} as for every gateway run) and the run's
 * {@code runner.meta.json} and signed receipt carry that file's SHA-256; the same tool's other
 * version, without one, carries no {@code lock_file}.
 */
class ToolLockFileIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOCK =
      "{\"name\":\"locked\",\"lockfileVersion\":3,\"packages\":{}}\n";

  @TempDir Path dir;

  @Test
  void aRegisteredToolsLockFileIsInItsRunsMetaAndReceipt() throws Exception {
    Files.createDirectories(dir.resolve("locked"));
    Files.createDirectories(dir.resolve("bare"));
    Files.writeString(dir.resolve("locked/package-lock.json"), LOCK);
    String main = "console.log(require('/workspace/in/_tool/package-lock.json').name)\n";
    Files.writeString(dir.resolve("locked/main.js"), main);
    Files.writeString(dir.resolve("bare/main.js"), "console.log('bare')\n");
    Path yaml = dir.resolve("tools.yaml");
    Files.writeString(yaml, registry());
    // Sandbox uids traverse to the state directory's sandboxes/.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Path state = Files.createDirectories(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    ToolRegistry registry = ToolRegistry.load(yaml, RuntimeProfiles.builtIn().ids());
    try (ReceiptLog log = ReceiptLog.open(state);
        RunService service =
            RunService.open(
                new ServiceConfig(state, 1, 4),
                registry,
                LimitsPolicy.builtIn(),
                new LedgerReceiptIssuer(log))) {
      RunRecord locked = run(service, "1.0.0");
      LockFile want =
          new LockFile(
              "package-lock.json", Sha256Sums.hash(dir.resolve("locked/package-lock.json")));
      JsonNode meta = meta(service, locked);
      assertThat(JSON.treeToValue(meta.get("lock_file"), LockFile.class)).isEqualTo(want);
      assertThat(predicate(locked).lockFile()).isEqualTo(want);

      RunRecord bare = run(service, "2.0.0");
      assertThat(meta(service, bare).has("lock_file")).isFalse();
      assertThat(predicate(bare).lockFile()).isNull();
    }
  }

  private static RunRecord run(RunService service, String version) {
    RunRecord r =
        service.exec(
            "t",
            new RunRequest(
                "locked", version, "run", List.of(), Map.of(), null, Map.of(), null, null, null,
                null),
            Duration.ofMinutes(2));
    assertThat(r.status()).as(String.valueOf(r.errorDetail())).isEqualTo(RunStatus.SUCCEEDED);
    return r;
  }

  private static JsonNode meta(RunService service, RunRecord r) throws Exception {
    return JSON.readTree(service.outDir(r.id()).resolve("reports/runner.meta.json").toFile());
  }

  private static io.quackrunner.receipts.ReceiptPredicate predicate(RunRecord r) {
    byte[] envelope = r.receiptJson().getBytes(StandardCharsets.UTF_8);
    return ReceiptStatement.parse(Dsse.parse(envelope).payload()).predicate();
  }

  private static String registry() {
    String version =
        """
              - version: "%s"
                runtime: node-20
                files: %s
                entrypoint: [node, /workspace/in/_tool/main.js]
                verbs:
                  run:
                    params: {type: object, additionalProperties: false}
        """;
    return "registry: 1\ntools:\n  - name: locked\n    versions:\n"
        + version.formatted("1.0.0", "locked")
        + version.formatted("2.0.0", "bare");
  }
}
