package io.quackrunner.service;

import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.ExitCodes;
import io.quackrunner.store.RunRecord;
import java.nio.file.Path;

/**
 * What one raw command got from {@link RunService#exec(String,
 * io.quackrunner.execution.ExecRequest, String, io.quackrunner.triggers.SignedTrigger, RunOrigin,
 * io.quackrunner.logs.LogListener)}.
 *
 * @param record the terminal record of the trigger's run, with its receipt
 * @param result what the sandbox reported, or null when this call executed nothing
 * @param replayed true when another call had executed (or was executing) the trigger
 * @param outDir where that run's artifacts and reports are, or null when its record names none
 */
public record CommandRun(RunRecord record, ExecutionResult result, boolean replayed, Path outDir) {
  /** Returns the CLI exit code of the run (docs/EXIT-CODES.md). */
  public int cliExitCode() {
    return ExitCodes.of(record.status(), record.exitCode(), record.signal(), record.errorKind());
  }
}
