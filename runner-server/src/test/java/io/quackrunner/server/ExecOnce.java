package io.quackrunner.server;

import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.service.LedgerReceiptIssuer;
import io.quackrunner.service.RunRequest;
import io.quackrunner.service.RunService;
import io.quackrunner.service.ServiceConfig;
import io.quackrunner.store.RunRecord;
import io.quackrunner.tools.ToolRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A child process for {@link CrossProcessIdempotencyIT}: runs one request in-process through
 * RunService, as {@code runner exec} does, and prints {@code <run id> <status>}.
 */
public final class ExecOnce {
  private ExecOnce() {}

  /** Arguments: state dir, registry file, idempotency key. */
  public static void main(String[] args) {
    Path state = Path.of(args[0]);
    ToolRegistry reg = ToolRegistry.load(Path.of(args[1]), RuntimeProfiles.builtIn().ids());
    try (ReceiptLog log = ReceiptLog.open(state);
        RunService s =
            RunService.open(
                new ServiceConfig(state, 1, 4),
                reg,
                LimitsPolicy.builtIn(),
                new LedgerReceiptIssuer(log))) {
      s.recover();
      RunRecord r =
          s.exec(
              "local",
              new RunRequest(
                  "sh",
                  "1",
                  "run",
                  List.of(),
                  Map.of("script", "echo once; sleep 1"),
                  null,
                  null,
                  args[2]),
              Duration.ofMinutes(2));
      System.out.println(r.id() + " " + r.status());
    }
  }
}
