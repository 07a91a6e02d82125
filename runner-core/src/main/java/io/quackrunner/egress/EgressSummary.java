package io.quackrunner.egress;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The provenance of a run's network, as {@code runner.meta.json} and the receipt record it: the
 * effective egress policy, the destinations actually contacted with byte counts, and the refused
 * attempts. The full log of attempts is {@code reports/egress.jsonl}.
 *
 * @param mode always {@code egress}
 * @param allow the effective allow-list, canonical entries ({@code host:port}, {@code *.name:port},
 *     {@code [v6]:port})
 * @param maxConnections the run's connection cap
 * @param maxBytes the run's byte cap, both directions
 * @param destinations each host, port and address connected to, with connections and bytes
 * @param refused the first {@link #MAX_REFUSALS} attempts refused or failed, in order
 * @param refusedCount how many attempts were refused or failed in all
 */
@JsonPropertyOrder({
  "mode",
  "allow",
  "max_connections",
  "max_bytes",
  "destinations",
  "refused",
  "refused_count"
})
public record EgressSummary(
    String mode,
    List<String> allow,
    @JsonProperty("max_connections") int maxConnections,
    @JsonProperty("max_bytes") long maxBytes,
    List<EgressReport.Destination> destinations,
    List<Refusal> refused,
    @JsonProperty("refused_count") long refusedCount) {

  /** The most refusals listed one by one. */
  public static final int MAX_REFUSALS = 100;

  /**
   * One refused (or failed) attempt.
   *
   * @param host the host asked for
   * @param port the port asked for
   * @param reason why
   */
  @JsonPropertyOrder({"host", "port", "reason"})
  public record Refusal(String host, int port, String reason) {}

  /** Summarizes a run's report. */
  public static EgressSummary of(EgressReport r) {
    List<EgressAttempt> all = r.refusals();
    List<Refusal> refused =
        all.stream()
            .limit(MAX_REFUSALS)
            .map(a -> new Refusal(a.host(), a.port(), a.reason()))
            .toList();
    return new EgressSummary(
        "egress",
        r.allow(),
        r.maxConnections(),
        r.maxBytes(),
        r.destinations(),
        refused,
        all.size());
  }
}
