package io.quackrunner.egress;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The destinations a run may reach through the egress proxy: a list of {@link EgressRule}s, in the
 * order written, without duplicates. An empty list allows nothing.
 *
 * @param rules the entries
 */
public record AllowList(List<EgressRule> rules) {
  /** The most entries one list may hold. */
  public static final int MAX_RULES = 256;

  /** Copies the list. */
  public AllowList {
    rules = List.copyOf(rules);
  }

  /**
   * Parses {@code HOST:PORT} entries (see {@link EgressRule}); a repeated entry counts once.
   *
   * @param entries the entries as written
   * @param kind the error kind for a bad entry
   * @throws RunnerException of {@code kind} for a bad entry or more than {@link #MAX_RULES}
   */
  public static AllowList parse(List<String> entries, ErrorKind kind) {
    if (entries.size() > MAX_RULES) {
      throw new RunnerException(kind, "at most " + MAX_RULES + " allowed hosts");
    }
    Set<EgressRule> out = new LinkedHashSet<>();
    for (String e : entries) {
      out.add(EgressRule.parse(e, kind));
    }
    return new AllowList(new ArrayList<>(out));
  }

  /** Returns whether the list allows nothing. */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Returns the entries in canonical text ({@link EgressRule#label}). */
  public List<String> labels() {
    return rules.stream().map(EgressRule::label).toList();
  }

  /**
   * Returns the entry that allows {@code host:port}, or null.
   *
   * @param host a host normalized by {@link EgressRule#normalizeHost}
   */
  public EgressRule match(String host, int port) {
    boolean literal = EgressRule.isLiteral(host);
    for (EgressRule r : rules) {
      if (r.literal() == literal && r.matches(host, port)) {
        return r;
      }
    }
    return null;
  }

  /** Returns whether {@code address:port} is listed literally (an IP entry, not a name). */
  public boolean listsLiterally(String address, int port) {
    return rules.stream()
        .anyMatch(r -> r.literal() && r.host().equals(address) && r.port() == port);
  }

  /**
   * Returns {@code requested} after checking that it only narrows this list: each of its entries
   * must be covered by one of this list's (same port; the same name, a name under a wildcard, or a
   * narrower wildcard; the same literal). A request never widens the registry's list.
   *
   * @throws RunnerException of kind FORBIDDEN naming the first entry this list does not cover
   */
  public AllowList narrow(AllowList requested) {
    for (EgressRule r : requested.rules) {
      if (rules.stream().noneMatch(g -> g.covers(r))) {
        throw new RunnerException(
            ErrorKind.FORBIDDEN,
            "allowed host "
                + r.label()
                + " is not in the tool's allow-list ("
                + (rules.isEmpty() ? "empty" : String.join(", ", labels()))
                + "): a request may narrow the list, never widen it");
      }
    }
    return requested;
  }
}
