package io.quackrunner.egress;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of an egress allow-list: a destination host and a port, written {@code HOST:PORT}.
 *
 * <p>{@code HOST} is a DNS name ({@code api.example.com}), a name with one leading wildcard label
 * ({@code *.pkg.example.org}: any name with at least one more label before {@code
 * .pkg.example.org}, never {@code pkg.example.org} itself), an IPv4 literal ({@code 10.0.0.5}) or
 * an IPv6 literal in brackets ({@code [2001:db8::1]}). Names are compared case-insensitively, with
 * one trailing dot ignored. {@code PORT} is required, 1 to 65535. A wildcard anywhere but as the
 * whole first label ({@code a*.b.com}, {@code *}, {@code *.com:*}, {@code **.b.com}) is refused.
 *
 * @param host the lower-case name, the name after {@code *.} for a wildcard, or the canonical text
 *     of an IP literal (IPv6 without brackets)
 * @param port the TCP port
 * @param wildcard whether the entry was {@code *.host}
 * @param literal whether {@code host} is an IP address literal
 */
public record EgressRule(String host, int port, boolean wildcard, boolean literal) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  /**
   * Parses {@code HOST:PORT} as described on the type.
   *
   * @param text the entry
   * @param kind the error kind to raise (USAGE on the CLI, SCHEMA_VIOLATION in the API,
   *     CONFIGURATION in the registry)
   * @throws RunnerException of {@code kind} naming the entry and what is wrong with it
   */
  public static EgressRule parse(String text, ErrorKind kind) {
    if (text == null || text.isEmpty()) {
      throw new RunnerException(kind, "an allowed host must be HOST:PORT, not an empty string");
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw bad(kind, text, "the port is required (HOST:PORT)");
    }
    String h = text.substring(0, colon);
    String p = text.substring(colon + 1);
    if (!p.matches("[0-9]{1,5}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535) {
      throw bad(kind, text, "the port must be a number from 1 to 65535");
    }
    int port = Integer.parseInt(p);
    if (h.startsWith("[") && h.endsWith("]")) {
      String v6 = h.substring(1, h.length() - 1);
      if (!v6.matches("[0-9A-Fa-f:.]+") || !v6.contains(":")) {
        throw bad(kind, text, "not an IPv6 literal");
      }
      return new EgressRule(canonical(literal(v6, kind, text)), port, false, true);
    }
    if (h.contains(":") || h.contains("[") || h.contains("]")) {
      throw bad(kind, text, "an IPv6 literal goes in brackets: [2001:db8::1]:443");
    }
    if (IPV4.matcher(h).matches()) {
      return new EgressRule(canonical(literal(h, kind, text)), port, false, true);
    }
    String name = h.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    boolean wildcard = name.startsWith("*.");
    if (wildcard) {
      name = name.substring(2);
    }
    if (name.contains("*")) {
      throw bad(kind, text, "a wildcard is allowed only as the whole first label (*.example.com)");
    }
    String[] labels = name.split("\\.", -1);
    if (name.isEmpty() || name.length() > 253) {
      throw bad(kind, text, "not a host name");
    }
    for (String l : labels) {
      if (!LABEL.matcher(l).matches()) {
        throw bad(kind, text, "not a host name (label '" + l + "')");
      }
    }
    if (wildcard && labels.length < 2) {
      throw bad(kind, text, "a wildcard needs at least two labels after it (*.example.com)");
    }
    if (labels[labels.length - 1].matches("[0-9]+")) {
      throw bad(kind, text, "a name cannot end in a numeric label (an IP literal has four parts)");
    }
    return new EgressRule(name, port, wildcard, false);
  }

  /** Returns the entry as written in canonical form: {@code *.name:port}, {@code [v6]:port}. */
  public String label() {
    String h = literal && host.contains(":") ? "[" + host + "]" : host;
    return (wildcard ? "*." : "") + h + ":" + port;
  }

  /**
   * Returns whether a destination the tool asked for matches this entry: same port and, for a name,
   * the same name or (wildcard) a name ending in {@code .host}; for a literal, the same address.
   *
   * @param name the requested host, already normalized by {@link #normalizeHost}
   * @param p the requested port
   */
  public boolean matches(String name, int p) {
    if (p != port) {
      return false;
    }
    if (wildcard) {
      return name.endsWith("." + host);
    }
    return name.equals(host);
  }

  /**
   * Returns whether every destination {@code narrower} allows is allowed by this entry too (what a
   * request's list must satisfy against the registry's).
   */
  public boolean covers(EgressRule narrower) {
    if (narrower.port != port || narrower.literal != literal) {
      return false;
    }
    if (!wildcard) {
      return !narrower.wildcard && narrower.host.equals(host);
    }
    return narrower.host.endsWith("." + host) || (narrower.wildcard && narrower.host.equals(host));
  }

  /**
   * Normalizes a host as a client sent it (CONNECT authority or absolute URI): lower case, one
   * trailing dot dropped, brackets of an IPv6 literal removed and literals in canonical text.
   *
   * @return the normalized host, or null when it is neither a host name nor an IP literal
   */
  public static String normalizeHost(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    String h = raw.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
      if (!h.matches("[0-9a-f:.]+") || !h.contains(":")) {
        return null;
      }
      try {
        return canonical(InetAddress.ofLiteral(h));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (IPV4.matcher(h).matches()) {
      try {
        return canonical(InetAddress.ofLiteral(h));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    for (String l : h.split("\\.", -1)) {
      if (!LABEL.matcher(l).matches()) {
        return null;
      }
    }
    return h.length() > 253 ? null : h;
  }

  /** Returns whether a normalized host is an IP literal rather than a name. */
  public static boolean isLiteral(String normalized) {
    return normalized.contains(":") || IPV4.matcher(normalized).matches();
  }

  /**
   * Returns the canonical text of an address: dotted quad, or IPv6 in Java's full form without
   * brackets.
   */
  static String canonical(InetAddress a) {
    String s = a.getHostAddress();
    int pct = s.indexOf('%');
    return pct >= 0 ? s.substring(0, pct) : s;
  }

  private static InetAddress literal(String s, ErrorKind kind, String text) {
    try {
      return InetAddress.ofLiteral(s);
    } catch (IllegalArgumentException e) {
      throw bad(kind, text, "not an IP address literal");
    }
  }

  private static RunnerException bad(ErrorKind kind, String text, String why) {
    return new RunnerException(kind, "allowed host '" + text + "': " + why);
  }
}
