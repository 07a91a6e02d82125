package io.quackrunner.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.Executor;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.store.ContentStore;
import io.quackrunner.tools.ResolvedTool;
import io.quackrunner.tools.ToolRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
   * @param env the environment: tool env, request env, secrets
   * @param limits the requested limits merged over the tool's defaults
   * @param inputs the inputs, sorted by name
   * @param canonicalJson the canonical stored request (no secrets, no inline content)
   */
  record Plan(
      ResolvedTool tool,
      List<String> argv,
      Map<String, String> env,
      LimitsRequest limits,
      List<InputRef> inputs,
      String canonicalJson) {}

  private final ToolRegistry registry;
  private final ContentStore cas;
  private final Executor executor;
  private final Path secrets;

  RunPlanner(ToolRegistry registry, ContentStore cas, Executor executor, Path secrets) {
    this.registry = registry;
    this.cas = cas;
    this.executor = executor;
    this.secrets = secrets;
  }

  Plan plan(RunRequest r) {
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
    Map<String, String> withSecrets = new TreeMap<>(env);
    for (String s : t.version().secrets()) {
      withSecrets.put(s, secret(s));
    }
    LimitsRequest limits = LimitsJson.merge(t.version().limits(), r.limits());
    // Validates limits against the maxima, the runtime, env names and argv; touches no file.
    executor.prepare(
        new ExecRequest(
            "plan",
            argv,
            t.version().runtime(),
            null,
            Path.of("/nonexistent"),
            withSecrets,
            limits));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("tool", t.tool().name());
    doc.put("version", t.version().version());
    doc.put("verb", t.verb().name());
    doc.put("tool_digest", t.version().digest());
    doc.put("inputs", inputs);
    doc.put("params", r.params());
    doc.put("limits", LimitsJson.toMap(limits));
    doc.put("env", new TreeMap<>(r.env()));
    return new Plan(t, argv, withSecrets, limits, inputs, Canonical.json(doc));
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
      return new RunRequest(
          n.get("tool").asText(),
          n.get("version").asText(),
          n.get("verb").asText(),
          inputs,
          params,
          LimitsJson.fromMap(limits),
          env,
          null);
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

  private String secret(String name) {
    Path f = secrets.resolve(name);
    try {
      if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION, "secret " + name + " is not configured on this runner");
      }
      String v = Files.readString(f, StandardCharsets.UTF_8);
      return v.endsWith("\n") ? v.substring(0, v.length() - 1) : v;
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot read secret " + name + ": " + e);
    }
  }
}
