package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.execution.RunStatus;
import java.time.Instant;

/**
 * The durable record of one run, as kept in the {@link RunStore}.
 *
 * @param id the run's execution id (a UUID)
 * @param tenant the tenant that owns the run
 * @param triggerHash lower-case hex SHA-256 of the trigger; unique across all runs
 * @param requestHash lower-case hex SHA-256 of the canonical request JSON
 * @param tool tool name
 * @param version tool version
 * @param verb verb
 * @param status current status
 * @param requestJson the canonical request JSON (inputs as digests, never inline content)
 * @param createdAt when the run was accepted (queued)
 * @param startedAt when its sandbox started, or null
 * @param finishedAt when it reached a terminal status, or null
 * @param exitCode the tool's exit code, or null
 * @param signal the signal that ended the tool, or null
 * @param errorKind the error kind of a run that did not succeed, or null
 * @param errorDetail one line on why it did not succeed, or null
 * @param resultJson the service's result document (artifacts, usage, logs), or null
 * @param receiptJson the signed receipt (a DSSE envelope as JSON), or null
 * @param ledgerIndex the receipt's index in the ledger, or null
 * @param owner {@code <pid>} of the process that executes the run
 * @param triggerJson the verified signed trigger that caused the run (JSON), or null
 * @param originJson the front-end and client the run came through ({@code RunOrigin} JSON), or null
 *     when not recorded
 */
public record RunRecord(
    String id,
    String tenant,
    String triggerHash,
    String requestHash,
    String tool,
    String version,
    String verb,
    RunStatus status,
    String requestJson,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Integer exitCode,
    Integer signal,
    ErrorKind errorKind,
    String errorDetail,
    String resultJson,
    String receiptJson,
    Long ledgerIndex,
    String owner,
    String triggerJson,
    String originJson) {

  /** Creates a record without a recorded origin. */
  public RunRecord(
      String id,
      String tenant,
      String triggerHash,
      String requestHash,
      String tool,
      String version,
      String verb,
      RunStatus status,
      String requestJson,
      Instant createdAt,
      Instant startedAt,
      Instant finishedAt,
      Integer exitCode,
      Integer signal,
      ErrorKind errorKind,
      String errorDetail,
      String resultJson,
      String receiptJson,
      Long ledgerIndex,
      String owner,
      String triggerJson) {
    this(
        id,
        tenant,
        triggerHash,
        requestHash,
        tool,
        version,
        verb,
        status,
        requestJson,
        createdAt,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        errorKind,
        errorDetail,
        resultJson,
        receiptJson,
        ledgerIndex,
        owner,
        triggerJson,
        null);
  }

  /** Returns this record with the origin (JSON) the run came through. */
  public RunRecord withOrigin(String json) {
    return new RunRecord(
        id,
        tenant,
        triggerHash,
        requestHash,
        tool,
        version,
        verb,
        status,
        requestJson,
        createdAt,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        errorKind,
        errorDetail,
        resultJson,
        receiptJson,
        ledgerIndex,
        owner,
        triggerJson,
        json);
  }

  /** Returns a new QUEUED record with no result. */
  public static RunRecord queued(
      String id,
      String tenant,
      String triggerHash,
      String requestHash,
      String tool,
      String version,
      String verb,
      String requestJson,
      Instant createdAt,
      String owner) {
    return new RunRecord(
        id,
        tenant,
        triggerHash,
        requestHash,
        tool,
        version,
        verb,
        RunStatus.QUEUED,
        requestJson,
        createdAt,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        owner,
        null);
  }

  /** Returns this record holding the verified signed trigger (JSON) that caused it. */
  public RunRecord withTrigger(String json) {
    return new RunRecord(
        id,
        tenant,
        triggerHash,
        requestHash,
        tool,
        version,
        verb,
        status,
        requestJson,
        createdAt,
        startedAt,
        finishedAt,
        exitCode,
        signal,
        errorKind,
        errorDetail,
        resultJson,
        receiptJson,
        ledgerIndex,
        owner,
        json,
        originJson);
  }

  /** Returns this record as REJECTED before execution, with the error that refused it. */
  public RunRecord rejected(Instant at, ErrorKind kind, String detail) {
    return new RunRecord(
        id,
        tenant,
        triggerHash,
        requestHash,
        tool,
        version,
        verb,
        RunStatus.REJECTED,
        requestJson,
        createdAt,
        null,
        at,
        null,
        null,
        kind,
        detail,
        null,
        null,
        null,
        owner,
        triggerJson,
        originJson);
  }
}
