package io.quackrunner.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.service.RunRequest;
import io.quackrunner.store.ContentStore;
import io.quackrunner.store.RunRecord;
import java.util.Map;

/**
 * The HTTP API's JSON documents ({@code /openapi.json}) for the other front-ends that speak the
 * same shapes, so that there is one mapping between them and {@link
 * io.quackrunner.service.RunService}: the Temporal worker reads RunRequests and writes RunResults
 * and problems exactly as {@code POST /runs} does.
 */
public final class RunDocuments {
  private RunDocuments() {}

  /**
   * Reads a RunRequest document strictly, as {@code POST /runs} does: unknown fields and wrong
   * types are errors; inline inputs are stored in the content store and replaced by their digests.
   *
   * @param body the RunRequest JSON object
   * @param cas the content store receiving inline inputs
   * @param maxInlineBytes the largest inline input, bytes
   * @throws RunnerException of kind USAGE for a malformed document, TOO_LARGE past the limit
   */
  public static RunRequest request(JsonNode body, ContentStore cas, long maxInlineBytes) {
    return RunRequestJson.parse(body, cas, maxInlineBytes, null);
  }

  /** Returns a run record as the RunResult document of {@code GET /runs/{id}}. */
  public static Map<String, Object> result(RunRecord r) {
    return RunJson.result(r);
  }

  /**
   * Returns the RFC 9457 problem document the gateway answers a runner error with, with its
   * extension members ({@code original_run}, {@code reason}, {@code rejected_run}; no {@code
   * instance}).
   */
  public static Map<String, Object> problem(RunnerException e) {
    return Http.problem(e, e.kind().httpStatus(), null);
  }
}
