package io.quackrunner.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads the facts about this host that {@code runner info} and receipts report. */
public final class HostProbe {
  /** The default bubblewrap binary. */
  public static final Path BWRAP = Path.of("/usr/bin/bwrap");

  private HostProbe() {}

  /**
   * Returns ordered facts: {@code sandbox.backend}, {@code sandbox.version} ("missing" when
   * bubblewrap is absent), {@code cgroup.mode}, {@code kernel}, {@code os}, {@code arch}, {@code
   * jdk}.
   */
  public static Map<String, String> facts() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("sandbox.backend", "bubblewrap");
    m.put("sandbox.version", bwrapVersion(BWRAP));
    m.put("cgroup.mode", CgroupMode.detect(Path.of("/sys/fs/cgroup")).name().toLowerCase());
    m.put("kernel", System.getProperty("os.version"));
    m.put("os", System.getProperty("os.name").toLowerCase());
    m.put("arch", arch());
    m.put("jdk", Runtime.version().toString() + " (" + System.getProperty("java.vendor") + ")");
    return m;
  }

  /** Returns the machine architecture in the MPLP spelling ({@code x86_64}, {@code arm64}). */
  public static String arch() {
    String a = System.getProperty("os.arch");
    return switch (a) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "arm64";
      default -> a;
    };
  }

  /** Returns the version bubblewrap prints ({@code 0.8.0}) or {@code missing}. */
  public static String bwrapVersion(Path bwrap) {
    if (!Files.isExecutable(bwrap)) {
      return "missing";
    }
    try {
      Process p =
          new ProcessBuilder(List.of(bwrap.toString(), "--version"))
              .redirectErrorStream(true)
              .start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "unusable";
      }
      return out.replaceFirst("^bubblewrap\\s+", "");
    } catch (IOException e) {
      return "unusable";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unusable";
    }
  }
}
