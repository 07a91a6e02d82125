package io.quackrunner.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides each connection attempt of one run and keeps the run's record of them.
 *
 * <p>An attempt to {@code host:port} is allowed only when (in this order): the allow-list has an
 * entry for it (an IP literal only by a literal entry, a name only by a name or wildcard entry);
 * the connection cap is not reached; a name resolves (once, through the {@link EgressResolver});
 * and no resolved address lies in a range {@link AddressRules} refuses, unless that address and
 * port are themselves listed literally. The proxy then connects to exactly the address decided
 * here, never resolving again, so a name that answers differently a moment later (DNS rebinding)
 * changes nothing. Thread-safe.
 */
public final class EgressPolicy {
  private final Egress egress;
  private final EgressResolver resolver;
  private final List<Live> attempts = new ArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  /** Creates the policy of one run. */
  public EgressPolicy(Egress egress, EgressResolver resolver) {
    this.egress = egress;
    this.resolver = resolver;
  }

  /**
   * Decides one attempt and records it.
   *
   * @param method {@code CONNECT} or the plain-HTTP method
   * @param rawHost the host as the client sent it
   * @param port the port
   * @return the live attempt: {@link Live#allowed()} with the address to connect to, or refused
   *     with a reason
   */
  public Live decide(String method, String rawHost, int port) {
    String host = EgressRule.normalizeHost(rawHost);
    String shown = host == null ? String.valueOf(rawHost) : host;
    if (host == null) {
      return record(method, shown, port, null, null, "not a host name or IP literal");
    }
    if (port < 1 || port > 65535) {
      return record(method, shown, port, null, null, "a port from 1 to 65535 is required");
    }
    EgressRule rule = egress.allow().match(host, port);
    if (rule == null) {
      return record(method, host, port, null, null, "not in the allow-list");
    }
    List<InetAddress> addresses;
    if (rule.literal()) {
      addresses = List.of(InetAddress.ofLiteral(host));
    } else {
      try {
        addresses = resolver.resolve(host);
      } catch (UnknownHostException e) {
        return record(method, host, port, null, rule, "name does not resolve");
      }
    }
    for (InetAddress a : addresses) {
      String why = AddressRules.forbidden(a);
      String text = EgressRule.canonical(a);
      if (why != null && !egress.allow().listsLiterally(text, port)) {
        return record(method, host, port, text, rule, "resolves to a " + why + " address " + text);
      }
    }
    if (addresses.isEmpty()) {
      return record(method, host, port, null, rule, "name does not resolve");
    }
    if (bytes.get() >= egress.maxBytes()) {
      return record(
          method, host, port, null, rule, "byte cap of " + egress.maxBytes() + " reached");
    }
    if (connections.incrementAndGet() > egress.maxConnections()) {
      connections.decrementAndGet();
      return record(
          method,
          host,
          port,
          null,
          rule,
          "connection cap of " + egress.maxConnections() + " reached");
    }
    InetAddress chosen = addresses.get(0);
    Live l = record(method, host, port, EgressRule.canonical(chosen), rule, null);
    l.address = chosen;
    return l;
  }

  /** Returns the run's record so far: the policy and every attempt with its byte counts. */
  public EgressReport report() {
    List<EgressAttempt> out = new ArrayList<>();
    synchronized (attempts) {
      for (Live l : attempts) {
        out.add(l.snapshot());
      }
    }
    return new EgressReport(
        egress.allow().labels(), egress.maxConnections(), egress.maxBytes(), out);
  }

  /** Returns the bytes relayed so far in the run, both directions. */
  public long bytes() {
    return bytes.get();
  }

  private Live record(
      String method, String host, int port, String address, EgressRule rule, String refusal) {
    synchronized (attempts) {
      Live l =
          new Live(
              attempts.size() + 1,
              DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.MICROS)),
              method,
              host,
              port,
              address,
              rule,
              refusal);
      attempts.add(l);
      return l;
    }
  }

  /** One attempt as it goes on: counts bytes, and fails the connection at the run's byte cap. */
  public final class Live {
    private final int seq;
    private final String at;
    private final String method;
    private final String host;
    private final int port;
    private final String addressText;
    private final EgressRule rule;
    private volatile String reason;
    private volatile String outcome;
    private InetAddress address;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    private Live(
        int seq,
        String at,
        String method,
        String host,
        int port,
        String addressText,
        EgressRule rule,
        String refusal) {
      this.seq = seq;
      this.at = at;
      this.method = method;
      this.host = host;
      this.port = port;
      this.addressText = addressText;
      this.rule = rule;
      this.reason = refusal;
      this.outcome = refusal == null ? "allowed" : "refused";
    }

    /** Returns whether the attempt may connect. */
    public boolean allowed() {
      return "allowed".equals(outcome);
    }

    /** Returns the address to connect to (only when allowed). */
    public InetAddress address() {
      return address;
    }

    /** Returns the port. */
    public int port() {
      return port;
    }

    /** Returns the normalized host. */
    public String host() {
      return host;
    }

    /** Returns why it was refused or failed, or null. */
    public String reason() {
      return reason;
    }

    /** Marks an allowed attempt whose destination did not answer. */
    public void failed(String why) {
      if (allowed()) {
        connections.decrementAndGet(); // it never became a connection
        outcome = "failed";
      }
      reason = why;
    }

    /**
     * Counts {@code n} bytes relayed, from the tool ({@code up}) or to it.
     *
     * @return false when the run's byte cap is now passed: the caller closes the connection
     */
    public boolean count(long n, boolean up) {
      (up ? sent : received).addAndGet(n);
      boolean ok = bytes.addAndGet(n) <= egress.maxBytes();
      if (!ok && reason == null) {
        reason = "byte cap of " + egress.maxBytes() + " reached; connection closed";
      }
      return ok;
    }

    EgressAttempt snapshot() {
      return new EgressAttempt(
          seq,
          at,
          method,
          host,
          port,
          addressText,
          outcome,
          reason,
          rule == null ? null : rule.label(),
          sent.get(),
          received.get());
    }
  }
}
