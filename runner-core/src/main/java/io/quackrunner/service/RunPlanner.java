package io.quackrunner.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.Executor;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.secrets.SecretStore;
import io.quackrunner.secrets.SecretValue;
import io.quackrunner.store.ContentStore;
import io.quackrunner.tools.ResolvedTool;
import io.quackrunner.tools.SecretSpec;
import io.quackrunner.tools.ToolRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Checks a {@link RunRequest} against the registry, the store and the limits policy. */
final class RunPlanner {
  static final String TOOL_DIR = "_tool";
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final int MAX_INPUTS = 256;

  /**
   * A checked request.
   *
   * @param tool the resolved tool, version and verb
   * @param argv the argv to run
   * @param env the environment: tool env, request env (no secrets)
   * @param limits the requested limits merged over the tool's defaults
   * @param inputs the inputs, sorted by name
   * @param canonicalJson the canonical stored request (no secret values, no inline content)
   * @param secrets the tenant's secrets this run receives, values read when the plan was made
   * @param egress the run's egress (the tool's allow-list, narrowed by the request), or null
   */
  record Plan(
      ResolvedTool tool,
      List<String> argv,
      Map<String, String> env,
      LimitsRequest limits,
      List<InputRef> inputs,
      String canonicalJson,
      List<SecretValue> secrets,
      io.quackrunner.egress.Egress egress) {}

  private final ToolRegistry registry;
  private final ContentStore cas;
  private final Executor executor;
  private volatile SecretStore secrets;

  RunPlanner(ToolRegistry registry, ContentStore cas, Executor executor, SecretStore secrets) {
    this.registry = registry;
    this.cas = cas;
    this.executor = executor;
    this.secrets = secrets;
  }

  /** Replaces the secret store (e.g. to add the operator's secrets directory). */
  void secrets(SecretStore store) {
    this.secrets = store;
  }

  SecretStore secrets() {
    return secrets;
  }

  /**
   * Checks a request of a tenant and reads the secrets it receives.
   *
   * @throws RunnerException of kind USAGE for a bad request or a secret the tool does not declare,
   *     NOT_FOUND for an unknown tool or input or a declared secret the tenant has not set
   */
  Plan plan(String tenant, RunRequest r) {
    ResolvedTool t = registry.resolve(r.tool(), r.version(), r.verb());
    List<String> argv = registry.argv(t, Canonical.JSON.valueToTree(r.params()));
    List<InputRef> inputs = inputs(r.inputs());
    Map<String, String> env = new TreeMap<>(t.version().env());
    for (Map.Entry<String, String> e : r.env().entrySet()) {
      if (!t.version().allowedEnv().contains(e.getKey())) {
        throw new RunnerException(
            ErrorKind.FORBIDDEN,
            "environment variable "
                + e.getKey()
                + " is not allowed for "
                + t.id()
                + " (allowed: "
                + String.join(", ", t.version().allowedEnv())
                + ")");
      }
      env.put(e.getKey(), e.getValue());
    }
    List<SecretValue> values = secretValues(tenant, t, r.secrets());
    LimitsRequest limits = LimitsJson.merge(t.version().limits(), r.limits());
    io.quackrunner.egress.Egress egress = egress(t, r);
    // Validates limits against the maxima, the runtime, env names and argv; touches no file.
    executor.prepare(
        new ExecRequest(
            "plan",
            argv,
            t.version().runtime(),
            null,
            Path.of("/nonexistent"),
            env,
            limits,
            values,
            egress));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("tool", t.tool().name());
    doc.put("version", t.version().version());
    doc.put("verb", t.verb().name());
    doc.put("tool_digest", t.version().digest());
    doc.put("inputs", inputs);
    doc.put("params", r.params());
    doc.put("limits", LimitsJson.toMap(limits));
    doc.put("env", new TreeMap<>(r.env()));
    if (r.secrets() != null) {
      doc.put("secrets", r.secrets().stream().sorted().distinct().toList());
    }
    if (r.callback() != null) {
      // Part of the request: the same key with another callback is another request (422).
      doc.put("callback", r.callback());
    }
    if (r.allowHosts() != null) {
      doc.put("allow_hosts", egress.allow().labels());
    }
    return new Plan(t, argv, env, limits, inputs, Canonical.json(doc), values, egress);
  }

  /**
   * Returns the tool's egress narrowed by the request's {@code allow_hosts}, or null when the tool
   * has none.
   *
   * @throws RunnerException of kind FORBIDDEN when the request names hosts and the tool has no
   *     egress, or names one outside the tool's list; SCHEMA_VIOLATION for a malformed entry
   */
  private static io.quackrunner.egress.Egress egress(ResolvedTool t, RunRequest r) {
    io.quackrunner.egress.Egress tool = t.version().network();
    if (r.allowHosts() == null) {
      return tool;
    }
    io.quackrunner.egress.AllowList asked =
        io.quackrunner.egress.AllowList.parse(r.allowHosts(), ErrorKind.SCHEMA_VIOLATION);
    if (tool == null) {
      throw new RunnerException(
          ErrorKind.FORBIDDEN, t.id() + " has no egress: allow_hosts cannot widen its network");
    }
    if (asked.isEmpty()) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "allow_hosts is empty: omit it, or set network none");
    }
    return tool.narrow(asked);
  }

  /**
   * Reads the tenant's values of the secrets a run receives: every secret the tool version
   * declares, or the declared subset the request names.
   */
  private List<SecretValue> secretValues(String tenant, ResolvedTool t, List<String> asked) {
    Map<String, SecretSpec> declared = new TreeMap<>();
    t.version().secrets().forEach(s -> declared.put(s.name(), s));
    List<SecretSpec> wanted = new ArrayList<>(declared.values());
    if (asked != null) {
      wanted.clear();
      for (String name : new java.util.TreeSet<>(asked)) {
        SecretStore.checkName(name);
        SecretSpec s = declared.get(name);
        if (s == null) {
          throw new RunnerException(
              ErrorKind.USAGE,
              "secret "
                  + name
                  + " is not declared by "
                  + t.id()
                  + (declared.isEmpty()
                      ? " (it declares none)"
                      : " (it declares: " + String.join(", ", declared.keySet()) + ")"));
        }
        wanted.add(s);
      }
    }
    List<SecretValue> out = new ArrayList<>();
    for (SecretSpec s : wanted) {
      byte[] v =
          secrets
              .read(tenant, s.name())
              .orElseThrow(
                  () ->
                      new RunnerException(
                          ErrorKind.NOT_FOUND,
                          t.id()
                              + " needs secret "
                              + s.name()
                              + ", which tenant "
                              + tenant
                              + " has not set (runner secrets set --tenant "
                              + tenant
                              + " "
                              + s.name()
                              + ")"));
      if (s.delivery() == SecretValue.Delivery.ENV
          && !java.util.Arrays.equals(
              new String(v, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), v)) {
        throw new RunnerException(
            ErrorKind.USAGE,
            "secret " + s.name() + " is not UTF-8 text and cannot be an environment variable");
      }
      out.add(new SecretValue(s.name(), s.delivery(), s.target(), v));
    }
    return out;
  }

  /** Rebuilds the request stored as canonical JSON. */
  static RunRequest parseStored(String canonicalJson) {
    try {
      JsonNode n = Canonical.JSON.readTree(canonicalJson);
      List<InputRef> inputs = new ArrayList<>();
      n.path("inputs")
          .forEach(i -> inputs.add(new InputRef(i.get("name").asText(), i.get("sha256").asText())));
      Map<String, Object> params =
          Canonical.JSON.convertValue(n.get("params"), new TypeReference<Map<String, Object>>() {});
      Map<String, Object> limits =
          Canonical.JSON.convertValue(n.get("limits"), new TypeReference<Map<String, Object>>() {});
      Map<String, String> env =
          Canonical.JSON.convertValue(n.get("env"), new TypeReference<Map<String, String>>() {});
      List<String> secrets =
          n.has("secrets")
              ? Canonical.JSON.convertValue(n.get("secrets"), new TypeReference<List<String>>() {})
              : null;
      List<String> allowHosts =
          n.has("allow_hosts")
              ? Canonical.JSON.convertValue(
                  n.get("allow_hosts"), new TypeReference<List<String>>() {})
              : null;
      return new RunRequest(
          n.get("tool").asText(),
          n.get("version").asText(),
          n.get("verb").asText(),
          inputs,
          params,
          LimitsJson.fromMap(limits),
          env,
          null,
          null,
          secrets,
          n.has("callback") ? n.get("callback").asText() : null,
          null,
          allowHosts);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot read a stored request: " + e, e);
    }
  }

  private List<InputRef> inputs(List<InputRef> given) {
    if (given.size() > MAX_INPUTS) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "too many inputs (at most " + MAX_INPUTS + ")");
    }
    Set<String> names = new HashSet<>();
    for (InputRef i : given) {
      checkName(i.name());
      if (!names.add(i.name())) {
        throw new RunnerException(
            ErrorKind.SCHEMA_VIOLATION, "input '" + i.name() + "' is given twice");
      }
      if (!ContentStore.isDigest(i.sha256())) {
        throw new RunnerException(
            ErrorKind.SCHEMA_VIOLATION,
            "input '" + i.name() + "': sha256 must be 64 lower-case hex digits");
      }
      if (!cas.contains(i.sha256())) {
        throw new RunnerException(
            ErrorKind.NOT_FOUND,
            "input '"
                + i.name()
                + "': no content with sha256 "
                + i.sha256()
                + " (POST /inputs first)");
      }
    }
    for (String n : names) {
      for (String m : names) {
        if (m.startsWith(n + "/")) {
          throw new RunnerException(
              ErrorKind.SCHEMA_VIOLATION,
              "input '" + n + "' is both a file and the directory of '" + m + "'");
        }
      }
    }
    List<InputRef> sorted = new ArrayList<>(given);
    sorted.sort(Comparator.comparing(InputRef::name));
    return sorted;
  }

  /**
   * Checks an input name: relative, '/'-separated segments of {@code [A-Za-z0-9._-]}, none {@code
   * .} or {@code ..}, not under {@code _tool}.
   *
   * @throws RunnerException of kind SCHEMA_VIOLATION naming the problem
   */
  static void checkName(String name) {
    if (name == null || name.isEmpty() || name.length() > 1024) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "an input name must have 1 to 1024 characters");
    }
    String[] segs = name.split("/", -1);
    for (String s : segs) {
      if (!SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..")) {
        throw new RunnerException(
            ErrorKind.SCHEMA_VIOLATION,
            "bad input name '"
                + printable(name)
                + "' (relative path of [A-Za-z0-9._-] segments, no '.' or '..')");
      }
    }
    if (segs[0].equals(TOOL_DIR) || segs.length > 16) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION,
          "bad input name '" + printable(name) + "' (reserved or too deep)");
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .limit(200)
        .forEach(
            c ->
                b.append(
                    c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : Character.toString(c)));
    return b.toString();
  }
}
