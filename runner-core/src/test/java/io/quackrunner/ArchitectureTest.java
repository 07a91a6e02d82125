package io.quackrunner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The written package order of runner-core (README, "Package order"): a package may use only
 * packages before it, so there are no cycles; and the core knows nothing of the front-ends' CLI and
 * HTTP libraries.
 */
class ArchitectureTest {
  /** Lowest first; each package may depend only on packages earlier in the list. */
  static final List<String> ORDER =
      List.of(
          "errors",
          "secrets",
          "logs",
          "limits",
          "egress",
          "images",
          "runtime",
          "artifacts",
          "sandbox",
          "execution",
          "store",
          "ledger",
          "receipts",
          "tools",
          "triggers",
          "callbacks",
          "service");

  private static final Path MAIN = Path.of("src/main/java/io/quackrunner");
  // A reference names a type (or *) in a core package; a string such as the OCI annotation key
  // "io.quackrunner.recipe.sha256" is not one.
  private static final Pattern REF = Pattern.compile("io\\.quackrunner\\.([a-z]+)\\.(?:[A-Z]|\\*)");
  private static final Pattern FORBIDDEN =
      Pattern.compile(
          "^import (picocli|org\\.eclipse\\.jetty|jakarta\\.servlet|io\\.micrometer)\\.",
          Pattern.MULTILINE);

  @Test
  void packagesOnlyUseThoseBeforeThemInTheOrder() throws IOException {
    Map<String, TreeSet<String>> uses = new TreeMap<>();
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Path rel = MAIN.relativize(f);
        if (rel.getNameCount() < 2) {
          continue; // top-level classes (RunnerVersion) depend on nothing in the core
        }
        String pkg = rel.getName(0).toString();
        String src = Files.readString(f);
        Matcher m = REF.matcher(src);
        while (m.find()) {
          if (!m.group(1).equals(pkg)) {
            uses.computeIfAbsent(pkg, k -> new TreeSet<>()).add(m.group(1));
          }
        }
        Matcher bad = FORBIDDEN.matcher(src);
        // The one exception: the egress policy proxy is a part of execution, not a front-end, and
        // is Jetty's ConnectHandler/ProxyHandler (docs/SANDBOX.md, "Egress").
        if (bad.find() && !(pkg.equals("egress") && bad.group(1).equals("org.eclipse.jetty"))) {
          violations.add(
              rel + " imports " + bad.group(1) + ": front-end libraries stay out of the core");
        }
      }
    }
    assertThat(ORDER).containsAll(uses.keySet());
    uses.forEach(
        (pkg, deps) -> {
          for (String d : deps) {
            if (ORDER.indexOf(d) < 0 || ORDER.indexOf(d) >= ORDER.indexOf(pkg)) {
              violations.add(pkg + " uses " + d + ", which is not before it in the order");
            }
          }
        });
    assertThat(violations).isEmpty();
  }
}
