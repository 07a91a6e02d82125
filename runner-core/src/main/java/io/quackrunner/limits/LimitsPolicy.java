package io.quackrunner.limits;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

/**
 * The configured default and maximum of every limit; resolves a {@link LimitsRequest} into the
 * {@link Limits} of one run.
 *
 * <p>Configuration is a Java properties file with keys {@code default.NAME} and {@code max.NAME},
 * NAME one of {@code wall_time, cpu_time, memory, pids, output, file_size, out_dir, tmp_dir,
 * network}; values use {@link Units} ({@code 30s}, {@code 512m}). A key not listed is an error.
 */
public record LimitsPolicy(Limits defaults, Limits maxima) {
  /** The names of the limits in configuration files and registry entries. */
  public static final Set<String> NAMES =
      Set.of(
          "wall_time",
          "cpu_time",
          "memory",
          "pids",
          "output",
          "file_size",
          "out_dir",
          "tmp_dir",
          "network");

  /**
   * The built-in policy: modest defaults, generous maxima, egress by allow-list, no host network.
   */
  public static LimitsPolicy builtIn() {
    Limits defaults =
        new Limits(
            60_000,
            60_000,
            512L << 20,
            256,
            16L << 20,
            64L << 20,
            128L << 20,
            64L << 20,
            NetworkMode.NONE);
    Limits maxima =
        new Limits(
            3_600_000,
            3_600_000,
            8L << 30,
            4096,
            1L << 30,
            4L << 30,
            4L << 30,
            1L << 30,
            // egress reaches only an allow-list; host stays off unless configured
            NetworkMode.EGRESS);
    return new LimitsPolicy(defaults, maxima);
  }

  /**
   * Loads a policy from a properties file, starting from {@link #builtIn()}.
   *
   * @throws RunnerException of kind CONFIGURATION naming the file and key on any bad entry
   */
  public static LimitsPolicy load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot read " + file + ": " + e);
    } catch (IllegalArgumentException e) { // Properties.load: a malformed unicode escape
      throw new RunnerException(ErrorKind.CONFIGURATION, file + ": " + e.getMessage());
    }
    LimitsPolicy base = builtIn();
    Limits d = base.defaults;
    Limits m = base.maxima;
    java.util.Map<String, Object> defaults = new java.util.LinkedHashMap<>();
    java.util.Map<String, Object> maxima = new java.util.LinkedHashMap<>();
    for (String key : p.stringPropertyNames()) {
      String[] parts = key.split("\\.", 2);
      if (parts.length != 2
          || !(parts[0].equals("default") || parts[0].equals("max"))
          || !(NAMES.contains(parts[1]) || LimitVocabulary.SUFFIXED.contains(parts[1]))) {
        throw new RunnerException(ErrorKind.CONFIGURATION, file + ": unknown key '" + key + "'");
      }
      (parts[0].equals("default") ? defaults : maxima).put(parts[1], p.getProperty(key));
    }
    try {
      d =
          apply(
              d, LimitVocabulary.read(defaults, ErrorKind.CONFIGURATION, ErrorKind.CONFIGURATION));
      m = apply(m, LimitVocabulary.read(maxima, ErrorKind.CONFIGURATION, ErrorKind.CONFIGURATION));
    } catch (RunnerException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, file + ": " + e.getMessage());
    }
    LimitsPolicy policy = new LimitsPolicy(d, m);
    try {
      policy.resolve(LimitsRequest.DEFAULTS); // defaults must be positive and within the maxima
    } catch (RunnerException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, file + ": " + e.getMessage());
    }
    return policy;
  }

  private static Limits apply(Limits l, LimitsRequest r) {
    return new Limits(
        r.wallTimeMs() != null ? r.wallTimeMs() : l.wallTimeMs(),
        r.cpuTimeMs() != null ? r.cpuTimeMs() : l.cpuTimeMs(),
        r.memoryBytes() != null ? r.memoryBytes() : l.memoryBytes(),
        r.pids() != null ? r.pids() : l.pids(),
        r.outputBytes() != null ? r.outputBytes() : l.outputBytes(),
        r.fileSizeBytes() != null ? r.fileSizeBytes() : l.fileSizeBytes(),
        r.outDirBytes() != null ? r.outDirBytes() : l.outDirBytes(),
        r.tmpDirBytes() != null ? r.tmpDirBytes() : l.tmpDirBytes(),
        r.network() != null ? r.network() : l.network());
  }

  /**
   * Fills unset fields from the defaults and checks every field against the maxima.
   *
   * @throws RunnerException of kind SCHEMA_VIOLATION naming the first limit that is not positive or
   *     exceeds its maximum
   */
  public Limits resolve(LimitsRequest r) {
    return new Limits(
        pick("wall_time_ms", r.wallTimeMs(), defaults.wallTimeMs(), maxima.wallTimeMs()),
        pick("cpu_time_ms", r.cpuTimeMs(), defaults.cpuTimeMs(), maxima.cpuTimeMs()),
        pick("memory_bytes", r.memoryBytes(), defaults.memoryBytes(), maxima.memoryBytes()),
        pick("pids", r.pids(), defaults.pids(), maxima.pids()),
        pick("output_bytes", r.outputBytes(), defaults.outputBytes(), maxima.outputBytes()),
        pick(
            "file_size_bytes", r.fileSizeBytes(), defaults.fileSizeBytes(), maxima.fileSizeBytes()),
        pick("out_dir_bytes", r.outDirBytes(), defaults.outDirBytes(), maxima.outDirBytes()),
        pick("tmp_dir_bytes", r.tmpDirBytes(), defaults.tmpDirBytes(), maxima.tmpDirBytes()),
        network(r.network()));
  }

  private NetworkMode network(NetworkMode asked) {
    NetworkMode n = asked == null ? defaults.network() : asked;
    if (n.ordinal() > maxima.network().ordinal()) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION,
          "network "
              + n.label()
              + " is not allowed here (maximum "
              + maxima.network().label()
              + ")");
    }
    return n;
  }

  private static long pick(String name, Long asked, long dflt, long max) {
    long v = asked == null ? dflt : asked;
    if (v <= 0) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "limit " + name + " must be positive, not " + v);
    }
    if (v > max) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "limit " + name + " " + v + " exceeds the maximum " + max);
    }
    return v;
  }
}
