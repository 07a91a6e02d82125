package io.quackrunner.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes {@link ArtifactCollector} on directory trees built from the fuzz input in a temporary
 * directory: directories, regular files, symlinks (into the tree, to a secret file outside it, to
 * directories, dangling), hard links and FIFOs, with arbitrary names including control characters.
 *
 * <p>Checked on every tree: only RunnerException may escape; each artifact is a regular file with
 * one link whose copy and SHA-256 match; the destination holds exactly the artifacts, all regular
 * files; the secret outside out/ is never copied; every link, FIFO and hard-linked file is a
 * violation; every name with a control character is an {@code unsafe-name} violation; nothing is
 * reported twice or both ways.
 */
class ArtifactCollectorFuzzTest {
  private static final Set<String> RESERVED = Set.of("reports", Sha256Sums.FILE);
  private static final String SECRET = "secret-" + System.nanoTime();
  private static Path scratch;
  private static Path secret;
  private static final MethodHandle MKFIFO =
      Linker.nativeLinker()
          .downcallHandle(
              Linker.nativeLinker().defaultLookup().find("mkfifo").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

  @BeforeAll
  static void makeScratch() throws IOException {
    scratch = Files.createTempDirectory("qr-collector-fuzz-");
    secret = scratch.resolve("host-secret");
    Files.writeString(secret, SECRET);
  }

  @AfterAll
  static void removeScratch() throws IOException {
    deleteTree(scratch);
  }

  @FuzzTest
  void collect(FuzzedDataProvider data) throws Throwable {
    Path run = Files.createTempDirectory(scratch, "run-");
    Path out = Files.createDirectory(run.resolve("out"));
    Path dest = run.resolve("dest");
    try {
      build(data, out);
      Collection c;
      try {
        c = ArtifactCollector.collect(out, dest, RESERVED);
      } catch (RunnerException e) {
        return;
      }
      check(out, dest, c);
    } finally {
      deleteTree(run);
    }
  }

  private static void build(FuzzedDataProvider data, Path out) throws Throwable {
    List<Path> dirs = new ArrayList<>(List.of(out));
    List<Path> files = new ArrayList<>();
    int ops = data.consumeInt(0, 24);
    for (int i = 0; i < ops && data.remainingBytes() > 0; i++) {
      Path parent = dirs.get(data.consumeInt(0, dirs.size() - 1));
      String name = data.consumeString(24);
      Path p;
      try {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) {
          continue;
        }
        p = parent.resolve(name);
      } catch (InvalidPathException e) {
        continue; // NUL: no file system name
      }
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      switch (data.consumeInt(0, 7)) {
        case 0, 1 -> dirs.add(Files.createDirectory(p));
        case 2, 3 -> {
          Files.write(p, data.consumeBytes(64));
          files.add(p);
        }
        case 4 -> Files.createSymbolicLink(p, secret);
        case 5 -> {
          List<Path> targets = new ArrayList<>(dirs);
          targets.addAll(files);
          targets.add(out.resolve("dangling"));
          targets.add(Path.of("/etc"));
          Files.createSymbolicLink(p, targets.get(data.consumeInt(0, targets.size() - 1)));
        }
        case 6 -> {
          if (!files.isEmpty()) {
            Files.createLink(p, files.get(data.consumeInt(0, files.size() - 1)));
          }
        }
        default -> {
          try (Arena arena = Arena.ofConfined()) {
            int rc = (int) MKFIFO.invokeExact(arena.allocateFrom(p.toString()), 0644);
            assertThat(rc).isZero();
          }
        }
      }
    }
  }

  private static void check(Path out, Path dest, Collection c) throws IOException {
    Set<String> artifacts = new HashSet<>();
    for (Artifact a : c.artifacts()) {
      assertThat(artifacts.add(a.path())).as("artifact twice: %s", a.path()).isTrue();
      Path src = out.resolve(a.path());
      Map<String, Object> st =
          Files.readAttributes(src, "unix:mode,nlink", LinkOption.NOFOLLOW_LINKS);
      assertThat(Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)).isTrue();
      assertThat((Integer) st.get("nlink")).isEqualTo(1);
      assertThat(hasControl(a.path())).as("unsafe name collected: %s", a.path()).isFalse();
      assertThat(ancestorsAreDirectories(out, a.path())).isTrue();
      Path copy = dest.resolve(a.path());
      assertThat(Files.isRegularFile(copy, LinkOption.NOFOLLOW_LINKS)).isTrue();
      assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(src));
      assertThat(a.sizeBytes()).isEqualTo(Files.size(src));
      assertThat(a.sha256()).isEqualTo(Sha256Sums.hash(src));
    }
    Set<String> violations = new HashSet<>();
    c.violations().forEach(v -> assertThat(violations.add(v.path())).isTrue());
    assertThat(java.util.Collections.disjoint(artifacts, violations)).isTrue();
    // Every entry of the tree is accounted for: collected, refused, or inside a refused directory.
    try (Stream<Path> walk = Files.walk(out)) {
      for (Path p : walk.filter(p -> !p.equals(out)).toList()) {
        String rel = out.relativize(p).toString();
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          if (hasControl(rel) || RESERVED.contains(rel)) {
            assertThat(refusedAtOrAbove(rel, violations)).as("directory %s", rel).isTrue();
          }
          continue;
        }
        if (refusedAtOrAbove(rel, violations) && !violations.contains(rel)) {
          continue; // under a refused directory, never visited
        }
        boolean plain =
            Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                && (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS) == 1;
        if (plain && !hasControl(rel) && !RESERVED.contains(rel)) {
          assertThat(artifacts).as("regular file %s not collected", rel).contains(rel);
        } else {
          assertThat(violations).as("%s not reported", rel).contains(rel);
        }
      }
    }
    if (Files.exists(dest)) {
      try (Stream<Path> walk = Files.walk(dest)) {
        Set<String> copied =
            walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                .peek(p -> assertThat(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).isTrue())
                .map(p -> dest.relativize(p).toString())
                .collect(Collectors.toSet());
        assertThat(copied).isEqualTo(artifacts);
        for (String rel : copied) {
          assertThat(new String(Files.readAllBytes(dest.resolve(rel)), StandardCharsets.UTF_8))
              .doesNotContain(SECRET);
        }
      }
    }
  }

  private static boolean ancestorsAreDirectories(Path out, String rel) {
    Path p = out.resolve(rel).getParent();
    while (!p.equals(out)) {
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      p = p.getParent();
    }
    return true;
  }

  private static boolean refusedAtOrAbove(String rel, Set<String> violations) {
    for (String prefix = rel; ; ) {
      if (violations.contains(prefix)) {
        return true;
      }
      int slash = prefix.lastIndexOf('/');
      if (slash < 0) {
        return false;
      }
      prefix = prefix.substring(0, slash);
    }
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7F || ch == '\\');
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
