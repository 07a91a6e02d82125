package io.quackrunner.callbacks;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.Units;
import io.quackrunner.tools.YamlTree;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The operator's rules for receipt callbacks ({@code callbacks.yaml} in the state directory; format
 * in docs/SERVER.md, "Callbacks"): the allow-list of destinations (scheme, host, port), how long
 * delivery is retried and with which backoff and timeouts.
 *
 * <p>Without the file no destination is allowed. A destination whose host is a name is resolved
 * once, at submission; every address it resolves to must be a public unicast address ({@link
 * AddressRanges}) unless its allow-list entry says {@code private: true}, and an entry whose host
 * is an address literal allows exactly that address, special or not.
 */
public final class CallbackPolicy {
  /** The file name of the policy in the state directory. */
  public static final String FILE = "callbacks.yaml";

  private static final Set<String> TOP =
      Set.of(
          "callbacks",
          "allow",
          "give_up_after",
          "initial_backoff",
          "max_backoff",
          "connect_timeout",
          "read_timeout");
  private static final Set<String> ENTRY = Set.of("url", "private");
  private static final int MAX_URL = 2048;

  /**
   * The connect and read timeouts of one attempt.
   *
   * @param connect the TCP (and TLS) connect timeout
   * @param read the longest wait for the whole response after the request was sent
   */
  public record Timeouts(Duration connect, Duration read) {}

  /**
   * One allow-list entry.
   *
   * @param scheme {@code http} or {@code https}
   * @param host a lower-case name or an address literal (IPv6 without brackets)
   * @param port the port (the scheme's default when the entry names none)
   * @param literal whether {@code host} is an address literal
   * @param allowPrivate whether a name may resolve to a special address
   */
  public record Entry(String scheme, String host, int port, boolean literal, boolean allowPrivate) {
    boolean matches(String s, String h, int p) {
      return scheme.equals(s) && host.equals(h) && port == p;
    }

    /** Returns the entry as an origin, e.g. {@code https://hooks.example:443}. */
    public String origin() {
      return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  private final List<Entry> allow;
  private final Duration giveUpAfter;
  private final Backoff backoff;
  private final Timeouts timeouts;

  private CallbackPolicy(
      List<Entry> allow, Duration giveUpAfter, Backoff backoff, Timeouts timeouts) {
    this.allow = List.copyOf(allow);
    this.giveUpAfter = giveUpAfter;
    this.backoff = backoff;
    this.timeouts = timeouts;
  }

  /** The policy of a state directory without {@value #FILE}: no destination is allowed. */
  public static final CallbackPolicy NONE =
      new CallbackPolicy(
          List.of(),
          Duration.ofHours(24),
          new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5)),
          new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)));

  /** Returns the allow-list. */
  public List<Entry> allowList() {
    return allow;
  }

  /** Returns how long after its first attempt a callback is retried before it is given up. */
  public Duration giveUpAfter() {
    return giveUpAfter;
  }

  /** Returns the backoff between attempts. */
  public Backoff backoff() {
    return backoff;
  }

  /** Returns the timeouts of one attempt. */
  public Timeouts timeouts() {
    return timeouts;
  }

  /**
   * Checks a callback URL at submission and resolves its host once.
   *
   * @return the destination, with the address delivery will connect to
   * @throws RunnerException of kind CALLBACK_REFUSED when the URL is malformed, not on the
   *     allow-list, does not resolve, or resolves to a special address not allow-listed explicitly
   */
  public CallbackTarget check(String url) {
    URI u = parseUrl(url);
    String host = host(u);
    Entry e = entry(u, host);
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException ex) {
      throw refused("the callback host " + host + " does not resolve");
    }
    for (InetAddress a : addresses) {
      String why = forbidden(e, a);
      if (why != null) {
        throw refused(
            "the callback host "
                + host
                + " resolves to "
                + a.getHostAddress()
                + ", a "
                + why
                + " address, which "
                + e.origin()
                + " does not allow (list the address itself, or mark the entry private: true)");
      }
    }
    return new CallbackTarget(u, addresses[0]);
  }

  /**
   * Checks a destination accepted earlier against this policy again, without resolving anything
   * (the operator may have narrowed the allow-list since).
   *
   * @return null when it is still allowed, else why not
   */
  public String recheck(CallbackTarget t) {
    try {
      URI u = t.url();
      String host = host(u);
      Entry e = entry(u, host);
      if (e.literal() && !InetAddress.getByName(e.host()).equals(t.address())) {
        return "the pinned address " + t.addressText() + " is not " + e.host();
      }
      String why = forbidden(e, t.address());
      return why == null ? null : "the pinned address " + t.addressText() + " is " + why;
    } catch (RunnerException | UnknownHostException ex) {
      return ex.getMessage();
    }
  }

  private static String forbidden(Entry e, InetAddress a) {
    if (e.literal() || e.allowPrivate()) {
      return null;
    }
    return AddressRanges.special(a);
  }

  private Entry entry(URI u, String host) {
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    int port = u.getPort() != -1 ? u.getPort() : defaultPort(scheme);
    for (Entry e : allow) {
      if (e.matches(scheme, host, port)) {
        return e;
      }
    }
    throw refused(
        allow.isEmpty()
            ? "this runner allows no callback destinations (" + FILE + " in the state directory)"
            : scheme
                + "://"
                + u.getRawAuthority()
                + " is not on the callback allow-list ("
                + String.join(", ", allow.stream().map(Entry::origin).toList())
                + ")");
  }

  private static URI parseUrl(String url) {
    if (url.length() > MAX_URL) {
      throw refused("the callback URL is longer than " + MAX_URL + " characters");
    }
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw refused("the callback is not a URL: " + e.getMessage());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!u.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
      throw refused("the callback must be an absolute http or https URL");
    }
    if (u.getRawUserInfo() != null) {
      throw refused("the callback URL must not carry user info");
    }
    if (u.getRawFragment() != null) {
      throw refused("the callback URL must not carry a fragment");
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw refused("the callback URL has no host");
    }
    return u;
  }

  private static String host(URI u) {
    String h = u.getHost().toLowerCase(Locale.ROOT);
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  private static int defaultPort(String scheme) {
    return scheme.equals("https") ? 443 : 80;
  }

  private static RunnerException refused(String m) {
    return new RunnerException(ErrorKind.CALLBACK_REFUSED, m);
  }

  /**
   * Loads {@value #FILE} from a state directory, or {@link #NONE} when there is none.
   *
   * @throws RunnerException of kind CONFIGURATION naming {@code file:line} of the first error
   */
  public static CallbackPolicy load(Path stateDir) {
    Path f = stateDir.resolve(FILE);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      return NONE;
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot read " + f + ": " + e);
    }
    return parse(bytes, f.toString());
  }

  /**
   * Parses a policy document.
   *
   * @param source the name used in errors (a path)
   * @throws RunnerException of kind CONFIGURATION naming {@code source:line} of the first error
   */
  public static CallbackPolicy parse(byte[] yaml, String source) {
    YamlTree tree = YamlTree.parse(yaml, source);
    JsonNode root = tree.root();
    if (!root.isObject()) {
      throw error(tree, source, "", "expected a map");
    }
    known(tree, source, root, "", TOP);
    if (root.path("callbacks").asInt(0) != 1) {
      throw error(tree, source, "/callbacks", "'callbacks: 1' is required (the format version)");
    }
    List<Entry> entries = new ArrayList<>();
    JsonNode al = root.path("allow");
    if (!al.isMissingNode()) {
      if (!al.isArray()) {
        throw error(tree, source, "/allow", "'allow' must be a list of URLs");
      }
      for (int i = 0; i < al.size(); i++) {
        entries.add(entry(tree, source, al.get(i), "/allow/" + i));
      }
    }
    Duration give = duration(tree, source, root, "give_up_after", NONE.giveUpAfter);
    Duration init = duration(tree, source, root, "initial_backoff", NONE.backoff.initial());
    Duration max = duration(tree, source, root, "max_backoff", NONE.backoff.max());
    if (max.compareTo(init) < 0) {
      throw error(tree, source, "/max_backoff", "max_backoff must not be below initial_backoff");
    }
    Duration ct = duration(tree, source, root, "connect_timeout", NONE.timeouts.connect());
    Duration rt = duration(tree, source, root, "read_timeout", NONE.timeouts.read());
    return new CallbackPolicy(entries, give, new Backoff(init, max), new Timeouts(ct, rt));
  }

  private static Entry entry(YamlTree tree, String source, JsonNode n, String ptr) {
    String url;
    boolean priv = false;
    if (n.isTextual()) {
      url = n.asText();
    } else if (n.isObject()) {
      known(tree, source, n, ptr, ENTRY);
      if (!n.path("url").isTextual()) {
        throw error(tree, source, ptr + "/url", "'url' must be a string");
      }
      url = n.get("url").asText();
      JsonNode p = n.get("private");
      if (p != null && !p.isBoolean()) {
        throw error(tree, source, ptr + "/private", "'private' must be true or false");
      }
      priv = p != null && p.asBoolean();
    } else {
      throw error(tree, source, ptr, "an entry is a URL or a map with url and private");
    }
    URI u;
    try {
      u = parseUrl(url);
    } catch (RunnerException e) {
      throw error(tree, source, ptr, e.getMessage().replace("the callback", "the entry"));
    }
    String p = u.getRawPath();
    if ((p != null && !p.isEmpty() && !p.equals("/")) || u.getRawQuery() != null) {
      throw error(tree, source, ptr, "an entry is scheme://host[:port] without a path or query");
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    String host = host(u);
    boolean literal = isLiteral(host);
    if (literal && priv) {
      throw error(tree, source, ptr, "'private' is for names; an address literal is explicit");
    }
    return new Entry(
        scheme, host, u.getPort() != -1 ? u.getPort() : defaultPort(scheme), literal, priv);
  }

  static boolean isLiteral(String host) {
    return host.contains(":") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  }

  private static Duration duration(
      YamlTree tree, String source, JsonNode root, String k, Duration dflt) {
    JsonNode v = root.get(k);
    if (v == null) {
      return dflt;
    }
    try {
      long ms = Units.parseDurationMs(v.asText());
      if (ms <= 0) {
        throw new RunnerException(ErrorKind.CONFIGURATION, "must be positive");
      }
      return Duration.ofMillis(ms);
    } catch (RunnerException e) {
      throw error(tree, source, "/" + k, "'" + k + "': " + e.getMessage());
    }
  }

  private static void known(
      YamlTree tree, String source, JsonNode n, String ptr, Set<String> allowed) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw error(
            tree,
            source,
            ptr + "/" + k,
            "unknown key '"
                + k
                + "' (known: "
                + String.join(", ", new java.util.TreeSet<>(allowed))
                + ")");
      }
    }
  }

  private static RunnerException error(YamlTree tree, String source, String ptr, String m) {
    return new RunnerException(ErrorKind.CONFIGURATION, source + ":" + tree.line(ptr) + ": " + m);
  }
}
