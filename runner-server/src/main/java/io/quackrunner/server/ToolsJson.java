package io.quackrunner.server;

import io.quackrunner.service.LimitsJson;
import io.quackrunner.tools.Tool;
import io.quackrunner.tools.ToolRegistry;
import io.quackrunner.tools.ToolVersion;
import io.quackrunner.tools.Verb;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders the tool registry for {@code GET /tools}. */
final class ToolsJson {
  private ToolsJson() {}

  static Map<String, Object> list(ToolRegistry registry) {
    List<Object> tools = new ArrayList<>();
    for (Tool t : registry.tools()) {
      List<Object> versions = new ArrayList<>();
      for (ToolVersion v : t.versions()) {
        Map<String, Object> verbs = new LinkedHashMap<>();
        for (Verb b : v.verbs().values()) {
          verbs.put(b.name(), Map.of("description", b.description(), "params", b.params()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("runtime", v.runtime());
        m.put("digest", v.digest());
        m.put("verbs", verbs);
        m.put("outputs", v.outputs());
        m.put(
            "manifest",
            v.manifest() == null
                ? null
                : Map.of("path", v.manifest().path(), "schema", v.manifest().schema()));
        m.put("limits", LimitsJson.toMap(v.limits()));
        m.put("allowed_env", v.allowedEnv());
        List<Object> secrets = new ArrayList<>();
        for (var x : v.secrets()) {
          Map<String, Object> sm = new LinkedHashMap<>();
          sm.put("name", x.name());
          sm.put("as", x.delivery().name().toLowerCase(java.util.Locale.ROOT));
          sm.put("target", x.target());
          secrets.add(sm);
        }
        m.put("secrets", secrets);
        versions.add(m);
      }
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("name", t.name());
      tm.put("description", t.description());
      tm.put("versions", versions);
      tools.add(tm);
    }
    return Map.of("tools", tools);
  }
}
