package io.quackrunner.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.RunnerVersion;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Executor;
import io.quackrunner.receipts.TriggerHashes;
import io.quackrunner.store.RunRecord;
import io.quackrunner.triggers.TriggerVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Function;

/**
 * The built-in tool {@value #TOOL} that a raw command ({@code runner exec}) is a run of: tool and
 * verb {@value #TOOL}, version the runner's own ({@link RunnerVersion#get}), and as its stored
 * request the command's RFC 8785 request form ({@link TriggerHashes#canonicalRequest}: argv,
 * runtime, env, resolved limits, the SHA-256 of each input file) plus {@code out_dir}, the caller's
 * out directory.
 *
 * <p>Its runs go through {@link RunService} like every other run — the same record, trigger claim,
 * recovery and receipt — and differ in three stated ways: the caller's thread executes the command
 * it prepared ({@link RunService#exec(String, io.quackrunner.execution.ExecRequest, String,
 * io.quackrunner.triggers.SignedTrigger, RunOrigin, io.quackrunner.logs.LogListener)}), its receipt
 * names the {@code command} (argv) instead of a registered tool and is also written with a
 * checkpoint and inclusion proof to the out directory's {@code reports/} ({@link
 * LedgerReceiptIssuer}), and a QUEUED one left by a dead process is interrupted, not resumed, as
 * its caller is gone ({@link RunRecovery}).
 */
public final class CommandTool {
  /** The tool name (and verb) raw commands are recorded under. */
  public static final String TOOL = "exec";

  private static final ObjectMapper JSON = new ObjectMapper();

  private CommandTool() {}

  /** Returns whether a run record is a raw command's. */
  static boolean is(RunRecord r) {
    return TOOL.equals(r.tool()) && TOOL.equals(r.verb());
  }

  /**
   * Returns what a signed trigger must bind to authorize a command whose request form hashes to
   * {@code requestSha256} (lower-case hex SHA-256).
   */
  static TriggerVerifier.Bound binding(String requestSha256) {
    return new TriggerVerifier.Bound(TOOL, RunnerVersion.get(), TOOL, requestSha256);
  }

  /**
   * Returns the maker of a command's queued record for a trigger hash.
   *
   * @param p the prepared command; its execution id is the run's id
   * @param canonical its request form ({@link TriggerHashes#canonicalRequest})
   * @param requestSha256 the hex SHA-256 of {@code canonical}
   * @param owner the owner id of the process that will execute it
   */
  static Function<String, RunRecord> record(
      Executor.Prepared p, byte[] canonical, String requestSha256, String tenant, String owner) {
    String json = requestJson(canonical, p.request().outDir());
    return hash ->
        RunRecord.queued(
            p.executionId(),
            tenant,
            hash,
            requestSha256,
            TOOL,
            RunnerVersion.get(),
            TOOL,
            json,
            Instant.now(),
            owner);
  }

  /** Returns the stored request: the canonical request form with {@code out_dir} added. */
  private static String requestJson(byte[] canonical, Path outDir) {
    try {
      ObjectNode n = (ObjectNode) JSON.readTree(canonical);
      n.put("out_dir", outDir.toString());
      return JSON.writeValueAsString(n);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot record the request: " + e, e);
    }
  }

  /** Returns the out directory a command's record names, or null when it names none. */
  static Path outDir(RunRecord r) {
    try {
      var n = JSON.readTree(r.requestJson()).get("out_dir");
      return n == null ? null : Path.of(n.asText());
    } catch (IOException e) {
      return null;
    }
  }
}
