package io.quackrunner.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.secrets.SecretValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Turns a registry {@link YamlTree} into a {@link ToolRegistry}, naming the line of any error. */
final class RegistryParser {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
  private static final Pattern ENV = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");
  private static final Set<String> TOP = Set.of("registry", "tools");
  private static final Set<String> TOOL = Set.of("name", "description", "versions");
  private static final Set<String> VERSION_KEYS =
      Set.of(
          "version",
          "runtime",
          "files",
          "entrypoint",
          "verbs",
          "outputs",
          "manifest",
          "limits",
          "env",
          "allowed_env",
          "secrets",
          "network");
  private static final Set<String> NETWORK = Set.of("allow", "max_connections", "max_bytes");
  private static final Set<String> VERB = Set.of("description", "params");
  private static final Set<String> SECRET_KEYS = Set.of("name", "as", "env");
  private static final Set<String> MANIFEST = Set.of("path", "schema");
  private static final JsonSchemaFactory SCHEMAS =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private static final Set<String> TYPES =
      Set.of("null", "boolean", "object", "array", "number", "string", "integer");

  private final YamlTree tree;
  private final String source;
  private final Path base;
  private final Map<String, JsonSchema> params = ToolRegistry.schemas();
  private final Map<String, JsonSchema> manifests = ToolRegistry.schemas();

  RegistryParser(YamlTree tree, String source, Path base) {
    this.tree = tree;
    this.source = source;
    this.base = base;
  }

  ToolRegistry parse(Collection<String> runtimeIds) {
    JsonNode root = tree.root();
    object(root, "", TOP);
    if (root.path("registry").asInt(0) != 1) {
      throw error("/registry", "'registry: 1' is required (the format version)");
    }
    JsonNode list = root.path("tools");
    if (!list.isArray() || list.isEmpty()) {
      throw error("/tools", "'tools' must be a non-empty list");
    }
    Map<String, Tool> tools = ToolRegistry.ordered();
    for (int i = 0; i < list.size(); i++) {
      Tool t = tool(list.get(i), "/tools/" + i, runtimeIds);
      if (tools.put(t.name(), t) != null) {
        throw error("/tools/" + i + "/name", "duplicate tool '" + t.name() + "'");
      }
    }
    return new ToolRegistry(tools, params, manifests);
  }

  private Tool tool(JsonNode n, String ptr, Collection<String> runtimeIds) {
    object(n, ptr, TOOL);
    String name = text(n, ptr, "name", NAME, true);
    JsonNode vs = n.path("versions");
    if (!vs.isArray() || vs.isEmpty()) {
      throw error(ptr + "/versions", "tool " + name + " needs a non-empty 'versions' list");
    }
    List<ToolVersion> versions = new ArrayList<>();
    for (int i = 0; i < vs.size(); i++) {
      String vp = ptr + "/versions/" + i;
      ToolVersion v = version(name, vs.get(i), vp, runtimeIds);
      if (versions.stream().anyMatch(x -> x.version().equals(v.version()))) {
        throw error(vp + "/version", "duplicate version " + v.version() + " of tool " + name);
      }
      versions.add(v);
    }
    return new Tool(name, n.path("description").asText(""), versions);
  }

  private ToolVersion version(String tool, JsonNode n, String ptr, Collection<String> rts) {
    object(n, ptr, VERSION_KEYS);
    String version = text(n, ptr, "version", VERSION, true);
    String runtime = text(n, ptr, "runtime", null, true);
    if (!io.quackrunner.runtime.RuntimeProfiles.isValidId(runtime, rts)) {
      throw error(
          ptr + "/runtime",
          "unknown runtime '"
              + runtime
              + "' (known: "
              + String.join(", ", rts)
              + ", each optionally pinned to an image as NAME@sha256:<64 hex>)");
    }
    Path files = null;
    if (n.has("files")) {
      files = base.resolve(text(n, ptr, "files", null, true)).normalize();
      if (!files.startsWith(base.normalize()) || files.equals(base.normalize())) {
        // Tool files are copied into every sandbox of the tool: keep them to a folder of their
        // own beside the registry, never /etc or the registry's parent.
        throw error(
            ptr + "/files", "tool files must be a directory inside " + base + ", not " + files);
      }
      if (!Files.isDirectory(files, LinkOption.NOFOLLOW_LINKS)) {
        throw error(ptr + "/files", "tool files directory " + files + " does not exist");
      }
    }
    List<String> entrypoint = strings(n, ptr, "entrypoint", null);
    if (entrypoint.isEmpty()) {
      throw error(ptr + "/entrypoint", "'entrypoint' must be a non-empty list of strings");
    }
    JsonNode verbs = n.path("verbs");
    if (!verbs.isObject() || verbs.isEmpty()) {
      throw error(ptr + "/verbs", "'verbs' must map at least one verb to its definition");
    }
    Map<String, Verb> verbMap = new LinkedHashMap<>();
    String id = tool + "@" + version;
    for (Iterator<String> it = verbs.fieldNames(); it.hasNext(); ) {
      String vb = it.next();
      String vptr = ptr + "/verbs/" + vb;
      if (!NAME.matcher(vb).matches()) {
        throw error(vptr, "bad verb name '" + vb + "' (lower-case letters, digits, '-')");
      }
      JsonNode d = verbs.get(vb);
      object(d, vptr, VERB);
      JsonNode schema = d.has("params") ? d.get("params") : objectSchema();
      params.put(id + " " + vb, schema(schema, vptr + "/params"));
      verbMap.put(vb, new Verb(vb, d.path("description").asText(""), schema));
    }
    List<String> outputs = strings(n, ptr, "outputs", null);
    for (int i = 0; i < outputs.size(); i++) {
      checkRelative(outputs.get(i), ptr + "/outputs/" + i);
    }
    ManifestRule manifest = null;
    JsonNode m = n.path("manifest");
    if (!m.isMissingNode() && !m.isNull()) {
      object(m, ptr + "/manifest", MANIFEST);
      String path = text(m, ptr + "/manifest", "path", null, true);
      checkRelative(path, ptr + "/manifest/path");
      if (!m.path("schema").isObject()) {
        throw error(ptr + "/manifest", "a required manifest needs a JSON Schema in 'schema'");
      }
      manifests.put(id, schema(m.get("schema"), ptr + "/manifest/schema"));
      manifest = new ManifestRule(path, m.get("schema"));
    }
    LimitsRequest limits = limits(n.path("limits"), ptr + "/limits");
    Map<String, String> env = new TreeMap<>();
    JsonNode e = n.path("env");
    if (!e.isMissingNode()) {
      if (!e.isObject()) {
        throw error(ptr + "/env", "'env' must map names to strings");
      }
      for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!ENV.matcher(k).matches() || !e.get(k).isTextual()) {
          throw error(ptr + "/env/" + k, "env needs NAME: \"string\" entries");
        }
        env.put(k, e.get(k).asText());
      }
    }
    List<String> allowedEnv = strings(n, ptr, "allowed_env", ENV);
    List<SecretSpec> secrets = secrets(n, ptr, env.keySet(), allowedEnv);
    io.quackrunner.egress.Egress egress = egress(n.path("network"), ptr + "/network");
    if (egress != null
        && limits.network() != null
        && limits.network() != io.quackrunner.limits.NetworkMode.EGRESS) {
      throw error(
          ptr + "/limits/network",
          "network " + limits.network().label() + " and network.allow exclude each other");
    }
    String digest = digest(n, files);
    return new ToolVersion(
        version,
        runtime,
        files,
        entrypoint,
        verbMap,
        outputs,
        manifest,
        limits,
        env,
        allowedEnv,
        secrets,
        digest,
        egress);
  }

  /**
   * Reads {@code network: {allow: [HOST:PORT, ...], max_connections: N, max_bytes: SIZE}}, or null
   * when absent.
   */
  private io.quackrunner.egress.Egress egress(JsonNode n, String ptr) {
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    object(n, ptr, NETWORK);
    List<String> allow = strings(n, ptr, "allow", null);
    if (allow.isEmpty()) {
      throw error(ptr + "/allow", "network needs a non-empty 'allow' list of HOST:PORT");
    }
    try {
      io.quackrunner.egress.AllowList list =
          io.quackrunner.egress.AllowList.parse(allow, ErrorKind.CONFIGURATION);
      int conns = io.quackrunner.egress.Egress.DEFAULT_MAX_CONNECTIONS;
      long bytes = io.quackrunner.egress.Egress.DEFAULT_MAX_BYTES;
      JsonNode c = n.path("max_connections");
      if (!c.isMissingNode()) {
        if (!c.canConvertToInt() || !c.isIntegralNumber() || c.intValue() < 1) {
          throw error(ptr + "/max_connections", "must be a positive integer");
        }
        conns = c.intValue();
      }
      JsonNode b = n.path("max_bytes");
      if (!b.isMissingNode()) {
        bytes =
            b.isIntegralNumber()
                ? b.longValue()
                : io.quackrunner.limits.Units.parseBytes(b.asText());
      }
      return new io.quackrunner.egress.Egress(list, conns, bytes);
    } catch (RunnerException e) {
      throw error(ptr, e.getMessage());
    }
  }

  private LimitsRequest limits(JsonNode n, String ptr) {
    if (n.isMissingNode() || n.isNull()) {
      return LimitsRequest.DEFAULTS;
    }
    if (!n.isObject()) {
      throw error(ptr, "must be a mapping");
    }
    // YAML scalars arrive as text or numbers; both names of a limit are accepted.
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    n.fields()
        .forEachRemaining(
            e ->
                m.put(
                    e.getKey(),
                    e.getValue().isNumber()
                        ? (Object) e.getValue().numberValue()
                        : e.getValue().asText()));
    try {
      return io.quackrunner.limits.LimitVocabulary.read(
          m, ErrorKind.CONFIGURATION, ErrorKind.CONFIGURATION);
    } catch (RunnerException e) {
      throw error(ptr, e.getMessage());
    }
  }

  private JsonSchema schema(JsonNode schema, String ptr) {
    if (!schema.isObject()) {
      throw error(ptr, "a JSON Schema must be an object");
    }
    try {
      checkTypes(schema, ptr);
      return SCHEMAS.getSchema(schema);
    } catch (RunnerException e) {
      throw e;
    } catch (RuntimeException e) {
      throw error(ptr, "not a valid JSON Schema: " + e.getMessage());
    }
  }

  /** Catches the commonest schema mistake the validator library accepts: a bad {@code type}. */
  private void checkTypes(JsonNode n, String ptr) {
    if (n.isObject()) {
      JsonNode t = n.get("type");
      if (t != null) {
        boolean ok = t.isTextual() ? TYPES.contains(t.asText()) : t.isArray() && t.size() > 0;
        if (t.isArray()) {
          for (JsonNode x : t) {
            ok &= x.isTextual() && TYPES.contains(x.asText());
          }
        }
        if (!ok) {
          throw error(ptr + "/type", "not a valid JSON Schema: bad type " + t);
        }
      }
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!k.equals("const")
            && !k.equals("enum")
            && !k.equals("default")
            && !k.equals("examples")) {
          checkTypes(n.get(k), ptr + "/" + k);
        }
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        checkTypes(n.get(i), ptr + "/" + i);
      }
    }
  }

  private static JsonNode objectSchema() {
    return new ObjectMapper()
        .createObjectNode()
        .put("type", "object")
        .put("additionalProperties", false);
  }

  private void checkRelative(String p, String ptr) {
    if (p.isEmpty() || p.startsWith("/") || List.of(p.split("/")).contains("..")) {
      throw error(ptr, "'" + p + "' must be a relative path under out/ without '..'");
    }
  }

  private void object(JsonNode n, String ptr, Set<String> allowed) {
    if (!n.isObject()) {
      throw error(ptr, "expected a mapping");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw error(
            ptr + "/" + k,
            "unknown key '"
                + k
                + "' (allowed: "
                + String.join(", ", allowed.stream().sorted().toList())
                + ")");
      }
    }
  }

  private String text(JsonNode n, String ptr, String key, Pattern pattern, boolean required) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        throw error(ptr, "missing '" + key + "'");
      }
      return null;
    }
    if (!v.isTextual() && !v.isNumber()) {
      throw error(ptr + "/" + key, "'" + key + "' must be a string");
    }
    String s = v.asText();
    if (pattern != null && !pattern.matcher(s).matches()) {
      throw error(ptr + "/" + key, "bad " + key + " '" + s + "' (must match " + pattern + ")");
    }
    return s;
  }

  private List<String> strings(JsonNode n, String ptr, String key, Pattern pattern) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw error(ptr + "/" + key, "'" + key + "' must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode s = v.get(i);
      if (!s.isTextual() || (pattern != null && !pattern.matcher(s.asText()).matches())) {
        throw error(ptr + "/" + key + "/" + i, "bad entry in '" + key + "'");
      }
      out.add(s.asText());
    }
    return out;
  }

  /**
   * Reads {@code secrets:}: each entry a name (a file {@code /run/secrets/NAME}) or a mapping
   * {@code {name: NAME, as: file|env, env: VAR}} ({@code env} defaults to the name).
   */
  private List<SecretSpec> secrets(
      JsonNode n, String ptr, Set<String> fixedEnv, List<String> allowedEnv) {
    JsonNode v = n.get("secrets");
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw error(ptr + "/secrets", "'secrets' must be a list of names or {name, as, env}");
    }
    List<SecretSpec> out = new ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    Set<String> vars = new java.util.HashSet<>();
    for (int i = 0; i < v.size(); i++) {
      String p = ptr + "/secrets/" + i;
      JsonNode s = v.get(i);
      String name;
      String as = "file";
      String var = null;
      if (s.isTextual()) {
        name = s.asText();
      } else {
        object(s, p, SECRET_KEYS);
        name = text(s, p, "name", ENV, true);
        as = s.path("as").asText("file");
        var = s.has("env") ? text(s, p, "env", ENV, true) : null;
      }
      if (!ENV.matcher(name).matches()) {
        throw error(p, "bad secret name '" + name + "' (upper-case letters, digits and '_')");
      }
      if (!names.add(name)) {
        throw error(p, "secret " + name + " is declared twice");
      }
      SecretSpec spec;
      if (as.equals("file")) {
        if (var != null) {
          throw error(p, "secret " + name + ": 'env' needs 'as: env'");
        }
        spec = new SecretSpec(name, SecretValue.Delivery.FILE, name);
      } else if (as.equals("env")) {
        String target = var == null ? name : var;
        if (fixedEnv.contains(target) || allowedEnv.contains(target) || !vars.add(target)) {
          throw error(
              p, "secret " + name + ": environment variable " + target + " is already in use");
        }
        spec = new SecretSpec(name, SecretValue.Delivery.ENV, target);
      } else {
        throw error(p, "secret " + name + ": 'as' must be file or env");
      }
      out.add(spec);
    }
    return out;
  }

  private String digest(JsonNode definition, Path files) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ObjectMapper om = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
      md.update(om.writeValueAsBytes(om.convertValue(definition, TreeMap.class)));
      if (files != null) {
        List<Path> all;
        try (Stream<Path> s = Files.walk(files)) {
          all = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (Path p : all) {
          md.update(
              files.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          md.update((byte) 0);
          md.update(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        }
      }
      return "sha256:" + HexFormat.of().formatHex(md.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, source + ": cannot hash tool files: " + e);
    }
  }

  private RunnerException error(String ptr, String reason) {
    return new RunnerException(
        ErrorKind.CONFIGURATION, source + ":" + tree.line(ptr) + ": " + reason);
  }
}
