package io.quackrunner.service;

import io.quackrunner.store.RunRecord;

/**
 * The answer to a submitted request.
 *
 * @param record the run now holding the request's trigger
 * @param created true when this submission created the run; false when an earlier request with the
 *     same trigger had (the run is then not executed again)
 */
public record Submission(RunRecord record, boolean created) {}
