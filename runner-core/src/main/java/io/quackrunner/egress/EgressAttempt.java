package io.quackrunner.egress;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One connection attempt a run made through the egress proxy, allowed or not.
 *
 * @param seq the attempt's number in the run, from 1
 * @param at when the proxy received it, RFC 3339 UTC
 * @param method {@code CONNECT}, or the plain-HTTP method ({@code GET}, {@code POST}, ...)
 * @param host the host as the tool asked for it (normalized: lower case, no trailing dot)
 * @param port the port asked for
 * @param address the address the proxy resolved and connected to, or null when refused before
 * @param outcome {@code allowed} (connected), {@code refused} (by policy) or {@code failed}
 *     (allowed, but the destination did not answer)
 * @param reason why it was refused or failed, or null
 * @param rule the allow-list entry that allowed it, or null
 * @param bytesSent bytes relayed from the tool to the destination
 * @param bytesReceived bytes relayed from the destination to the tool
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "seq",
  "at",
  "method",
  "host",
  "port",
  "address",
  "outcome",
  "reason",
  "rule",
  "bytes_sent",
  "bytes_received"
})
public record EgressAttempt(
    int seq,
    String at,
    String method,
    String host,
    int port,
    String address,
    String outcome,
    String reason,
    String rule,
    @JsonProperty("bytes_sent") long bytesSent,
    @JsonProperty("bytes_received") long bytesReceived) {}
