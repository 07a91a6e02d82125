package io.quackrunner.egress;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run did through its egress proxy: the effective policy and every attempt.
 *
 * @param allow the effective allow-list, canonical entries
 * @param maxConnections the connection cap
 * @param maxBytes the byte cap
 * @param attempts every attempt in order, allowed or refused
 */
@JsonPropertyOrder({"allow", "max_connections", "max_bytes", "attempts"})
public record EgressReport(
    List<String> allow,
    @JsonProperty("max_connections") int maxConnections,
    @JsonProperty("max_bytes") long maxBytes,
    List<EgressAttempt> attempts) {

  /** Copies the lists. */
  public EgressReport {
    allow = List.copyOf(allow);
    attempts = List.copyOf(attempts);
  }

  /**
   * One destination the run contacted, summed over its allowed connections.
   *
   * @param host the host asked for
   * @param port the port
   * @param address the address connected to
   * @param connections how many connections (tunnels or plain requests)
   * @param bytesSent bytes from the tool
   * @param bytesReceived bytes to the tool
   */
  @JsonPropertyOrder({"host", "port", "address", "connections", "bytes_sent", "bytes_received"})
  public record Destination(
      String host,
      int port,
      String address,
      long connections,
      @JsonProperty("bytes_sent") long bytesSent,
      @JsonProperty("bytes_received") long bytesReceived) {}

  /** Returns the destinations actually contacted (outcome {@code allowed}), in first-use order. */
  public List<Destination> destinations() {
    Map<String, long[]> sums = new LinkedHashMap<>();
    Map<String, EgressAttempt> first = new LinkedHashMap<>();
    for (EgressAttempt a : attempts) {
      if (!"allowed".equals(a.outcome())) {
        continue;
      }
      String key = a.host() + "\n" + a.port() + "\n" + a.address();
      first.putIfAbsent(key, a);
      long[] s = sums.computeIfAbsent(key, k -> new long[3]);
      s[0]++;
      s[1] += a.bytesSent();
      s[2] += a.bytesReceived();
    }
    List<Destination> out = new ArrayList<>();
    first.forEach(
        (k, a) -> {
          long[] s = sums.get(k);
          out.add(new Destination(a.host(), a.port(), a.address(), s[0], s[1], s[2]));
        });
    return out;
  }

  /** Returns the attempts that were refused or failed. */
  public List<EgressAttempt> refusals() {
    return attempts.stream().filter(a -> !"allowed".equals(a.outcome())).toList();
  }
}
