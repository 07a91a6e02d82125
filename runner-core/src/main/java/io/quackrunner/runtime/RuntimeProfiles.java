package io.quackrunner.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.images.Digest;
import io.quackrunner.images.ImageRef;
import io.quackrunner.images.ImageStore;
import io.quackrunner.images.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runtime profiles this runner offers, loaded from a JSON file (a list of {@link
 * RuntimeProfile}) or the built-in {@code runtimes.json}, and their resolution against the host.
 */
public final class RuntimeProfiles {
  /** The profile used when a run names none. */
  public static final String DEFAULT_ID = "system";

  /**
   * Runs a profile's version command inside an image and returns what it printed (stdout and
   * stderr).
   */
  @FunctionalInterface
  public interface ImageProbe {
    /** Runs the profile's version command in a sandbox whose root is {@code image}. */
    String run(RuntimeProfile profile, ImageRef image);
  }

  private final Map<String, RuntimeProfile> profiles;
  private final Map<String, ResolvedRuntime> resolved = new ConcurrentHashMap<>();
  private final ImageStore images;
  private final ImageProbe probe;

  private RuntimeProfiles(Map<String, RuntimeProfile> profiles) {
    this(profiles, null, null);
  }

  private RuntimeProfiles(
      Map<String, RuntimeProfile> profiles, ImageStore images, ImageProbe probe) {
    this.profiles = profiles;
    this.images = images;
    this.probe = probe;
  }

  /**
   * Returns these profiles backed by an image store: a runtime id {@code NAME@sha256:<hex>} runs on
   * that image only, and a plain {@code NAME} runs on the image the store names {@code NAME} when
   * there is one, else on the host; the version is read inside the image through {@code probe}.
   */
  public RuntimeProfiles withImages(ImageStore store, ImageProbe probe) {
    return new RuntimeProfiles(profiles, store, probe);
  }

  /**
   * Returns whether {@code id} names a known profile, alone or pinned to an image digest ({@code
   * NAME@sha256:<64 hex>}).
   */
  public static boolean isValidId(String id, java.util.Collection<String> known) {
    int at = id.indexOf('@');
    if (at < 0) {
      return known.contains(id);
    }
    return known.contains(id.substring(0, at)) && PIN.matcher(id.substring(at + 1)).matches();
  }

  private static final Pattern PIN = Pattern.compile("sha256:[0-9a-f]{64}");

  /** Loads the built-in profiles (system, python-3.11, node-20, gcc-12, imagemagick-6, …). */
  public static RuntimeProfiles builtIn() {
    try (InputStream in = RuntimeProfiles.class.getResourceAsStream("runtimes.json")) {
      return parse(in.readAllBytes(), "built-in runtimes.json");
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot read built-in runtimes.json", e);
    }
  }

  /**
   * Loads profiles from a JSON file.
   *
   * @throws RunnerException of kind CONFIGURATION naming the file on any error
   */
  public static RuntimeProfiles load(Path file) {
    try {
      return parse(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot read " + file + ": " + e);
    }
  }

  /** The fields a profile may have, as {@code runtimes.json} spells them; any other is an error. */
  private static final java.util.Set<String> FIELDS =
      java.util.Set.of(
          "id",
          "type",
          "version_command",
          "version_pattern",
          "version_prefix",
          "path",
          "binds",
          "env");

  /**
   * Parses a list of profiles. Read as a JSON tree and mapped by hand, not through Jackson's data
   * binding into the record: binding builds a deserializer by reflection, about 35 ms of every
   * short-lived {@code runner exec} (issue 19, docs/BENCHMARKS.md). Unknown fields, a value of the
   * wrong JSON type and a list that is not one are all errors.
   */
  private static RuntimeProfiles parse(byte[] json, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, source + ": " + e.getMessage().split("\n")[0]);
    }
    if (root == null || !root.isArray()) {
      throw new RunnerException(ErrorKind.CONFIGURATION, source + ": not a list of profiles");
    }
    List<RuntimeProfile> list = new ArrayList<>();
    for (JsonNode n : root) {
      if (n.isNull()) {
        throw new RunnerException(ErrorKind.CONFIGURATION, source + ": a profile is null");
      }
      list.add(profile(n, source));
    }
    Map<String, RuntimeProfile> m = new LinkedHashMap<>();
    for (RuntimeProfile p : list) {
      if (p.id() == null
          || p.type() == null
          || p.versionCommand() == null
          || p.versionCommand().isEmpty()
          || p.versionPattern() == null) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION,
            source + ": profile " + p.id() + " needs id, type, version_command, version_pattern");
      }
      for (String b : p.binds()) {
        if (!b.startsWith("/")
            || b.contains("..")
            || List.of("/", "/tmp", "/workspace", "/proc", "/dev").stream()
                .anyMatch(
                    shadowed ->
                        b.equals(shadowed)
                            || b.startsWith(shadowed.equals("/") ? "//" : shadowed + "/"))
            || List.of("/etc", "/etc/passwd", "/etc/group").contains(b)) {
          throw new RunnerException(
              ErrorKind.CONFIGURATION,
              source
                  + ": profile "
                  + p.id()
                  + " binds "
                  + b
                  + " (binds must be absolute, without '..', and not /, /tmp, /workspace, /proc, /dev,"
                  + " /etc, /etc/passwd or /etc/group, which the sandbox replaces)");
        }
      }
      if (m.put(p.id(), p) != null) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION, source + ": duplicate profile " + p.id());
      }
    }
    return new RuntimeProfiles(m);
  }

  private static RuntimeProfile profile(JsonNode n, String source) {
    if (!n.isObject()) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, source + ": a profile is a JSON object, not " + n.getNodeType());
    }
    String id = n.path("id").isTextual() ? n.get("id").asText() : null;
    String where = source + ": profile " + id;
    for (var names = n.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION, where + " has an unknown field '" + name + "'");
      }
    }
    Map<String, String> env = null;
    JsonNode e = n.get("env");
    if (e != null && !e.isNull()) {
      if (!e.isObject()) {
        throw new RunnerException(ErrorKind.CONFIGURATION, where + ": env is not an object");
      }
      env = new LinkedHashMap<>();
      for (var it = e.fields(); it.hasNext(); ) {
        var kv = it.next();
        if (!kv.getValue().isTextual()) {
          throw new RunnerException(
              ErrorKind.CONFIGURATION, where + ": env " + kv.getKey() + " is not a string");
        }
        env.put(kv.getKey(), kv.getValue().asText());
      }
    }
    return new RuntimeProfile(
        text(n, "id", where),
        text(n, "type", where),
        strings(n, "version_command", where),
        text(n, "version_pattern", where),
        text(n, "version_prefix", where),
        text(n, "path", where),
        strings(n, "binds", where),
        env);
  }

  /** A string field, or null when absent or JSON null. */
  private static String text(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new RunnerException(ErrorKind.CONFIGURATION, where + ": " + field + " is not a string");
    }
    return v.asText();
  }

  /** A list-of-strings field, or null when absent or JSON null. */
  private static List<String> strings(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, where + ": " + field + " is not a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION, where + ": " + field + " has an item that is not a string");
      }
      out.add(item.asText());
    }
    return out;
  }

  /** Returns the profile of {@code id} (without a pin), or null when there is none. */
  public RuntimeProfile profile(String id) {
    return profiles.get(id);
  }

  /** Returns the profile ids in file order. */
  public List<String> ids() {
    return new ArrayList<>(profiles.keySet());
  }

  /**
   * Resolves a profile: runs its version command on the host once per process and checks the
   * version prefix.
   *
   * @throws RunnerException of kind NOT_FOUND for an unknown id, or when the runtime is not
   *     installed or reports another version (never substituted)
   */
  public ResolvedRuntime resolve(String id) {
    int at = id.indexOf('@');
    String name = at < 0 ? id : id.substring(0, at);
    RuntimeProfile p = profiles.get(name);
    if (p == null || (at >= 0 && !PIN.matcher(id.substring(at + 1)).matches())) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND,
          "unknown runtime '"
              + id
              + "' (known: "
              + String.join(", ", ids())
              + ", each optionally pinned as NAME@sha256:<hex>)");
    }
    Digest pinned = at < 0 ? null : Digest.parse(id.substring(at + 1));
    Digest d = pinned;
    if (d == null && images != null) {
      d = images.named(name);
    }
    if (d == null) {
      return resolved.computeIfAbsent(name, k -> probe(p));
    }
    if (images == null) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND, "runtime " + id + ": this runner has no image store");
    }
    StoredImage img;
    try {
      img = images.find(d.toString());
    } catch (RunnerException e) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND,
          "runtime "
              + id
              + ": image "
              + d
              + " is not imported (runner image import FILE --name "
              + name
              + "); no other image is substituted");
    }
    ImageRef ref = images.ref(name, img);
    return resolved.computeIfAbsent(
        name + "@" + d,
        k ->
            check(
                p,
                probe.run(p, ref),
                p.versionCommand().get(0) + " in image " + ref.reference(),
                ref));
  }

  private static ResolvedRuntime probe(RuntimeProfile p) {
    Path exe = Path.of(p.versionCommand().get(0));
    if (!Files.isExecutable(exe)) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND, "runtime " + p.id() + " is not installed: " + exe + " not found");
    }
    String out;
    try {
      Process proc =
          new ProcessBuilder(p.versionCommand())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!proc.waitFor(10, TimeUnit.SECONDS)) {
        proc.destroyForcibly();
        throw new RunnerException(ErrorKind.NOT_FOUND, "runtime " + p.id() + ": version timed out");
      }
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "runtime " + p.id() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "interrupted");
    }
    return check(p, out, exe.toString(), null);
  }

  private static ResolvedRuntime check(RuntimeProfile p, String out, String where, ImageRef image) {
    String exe = where;
    Matcher m = Pattern.compile(p.versionPattern()).matcher(out);
    if (!m.find()) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND, "runtime " + p.id() + ": cannot read a version from " + exe);
    }
    String version = m.group(1).trim();
    if (p.versionPrefix() != null && !version.startsWith(p.versionPrefix())) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND,
          "runtime "
              + p.id()
              + " wants version "
              + p.versionPrefix()
              + "*, but "
              + exe
              + " is "
              + version);
    }
    return new ResolvedRuntime(p, version, image);
  }
}
