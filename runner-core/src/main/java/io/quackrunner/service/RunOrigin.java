package io.quackrunner.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.receipts.ReceiptPredicate;
import java.io.IOException;
import java.util.Set;

/**
 * Which front-end accepted a run and, where the protocol names one, which client sent it; kept in
 * the run record ({@code origin_json}) and in the receipt predicate's {@code origin} member.
 *
 * <p>The client name and version are what the client said of itself (MCP {@code clientInfo}), never
 * authenticated: they tell an auditor which agent asked, not who is allowed to. Each is cut to
 * {@value #MAX_TEXT} characters with control characters replaced by U+FFFD.
 *
 * @param frontEnd {@code cli}, {@code http}, {@code mcp} or {@code temporal}
 * @param clientName the client's own name, or null
 * @param clientVersion the client's own version, or null
 */
public record RunOrigin(String frontEnd, String clientName, String clientVersion) {
  /** The front-ends a run can come from. */
  public static final Set<String> FRONT_ENDS = Set.of("cli", "http", "mcp", "temporal");

  /** The longest client name or version kept, in characters. */
  public static final int MAX_TEXT = 256;

  /** A run started from the {@code runner} command line ({@code runner exec}). */
  public static final RunOrigin CLI = new RunOrigin("cli", null, null);

  /** A run accepted by {@code POST /runs}. */
  public static final RunOrigin HTTP = new RunOrigin("http", null, null);

  /**
   * Checks the front-end and tidies the client's texts.
   *
   * @throws RunnerException of kind USAGE for an unknown front-end
   */
  public RunOrigin {
    if (!FRONT_ENDS.contains(frontEnd)) {
      throw new RunnerException(ErrorKind.USAGE, "unknown front-end '" + frontEnd + "'");
    }
    clientName = tidy(clientName);
    clientVersion = tidy(clientVersion);
  }

  private static String tidy(String s) {
    if (s == null) {
      return null;
    }
    String t = s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
    return t.replaceAll("\\p{Cntrl}", "\uFFFD");
  }

  /** Returns the stored JSON form, {@code {"front_end":…,"client_name":…,"client_version":…}}. */
  public String toJson() {
    ObjectNode n = Canonical.JSON.createObjectNode();
    n.put("front_end", frontEnd);
    n.put("client_name", clientName);
    n.put("client_version", clientVersion);
    return n.toString();
  }

  /** Returns the origin a stored JSON form holds, or null for null. */
  public static RunOrigin fromJson(String json) {
    if (json == null) {
      return null;
    }
    try {
      JsonNode n = Canonical.JSON.readTree(json);
      return new RunOrigin(
          n.get("front_end").asText(), text(n, "client_name"), text(n, "client_version"));
    } catch (IOException | RuntimeException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot read a stored run origin: " + e, e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** Returns the receipt predicate's {@code origin} member. */
  public ReceiptPredicate.Origin predicate() {
    return new ReceiptPredicate.Origin(frontEnd, clientName, clientVersion);
  }
}
