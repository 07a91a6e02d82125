package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.LimitsRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts {@link LimitsRequest} to and from its JSON object form: {@code wall_time_ms}, {@code
 * cpu_time_ms}, {@code memory_bytes}, {@code pids}, {@code output_bytes}, {@code file_size_bytes},
 * {@code out_dir_bytes}, {@code tmp_dir_bytes} (positive integers) and {@code network} ({@code
 * none}, {@code loopback}, {@code host}); on input each may also be given by its short name with a
 * unit ({@code wall_time: "60s"}, see {@link io.quackrunner.limits.LimitVocabulary}).
 */
public final class LimitsJson {
  /** The field names, in order. */
  public static final List<String> FIELDS =
      List.of(
          "wall_time_ms",
          "cpu_time_ms",
          "memory_bytes",
          "pids",
          "output_bytes",
          "file_size_bytes",
          "out_dir_bytes",
          "tmp_dir_bytes",
          "network");

  private LimitsJson() {}

  /** Returns the set fields of a request as an ordered map (unset fields are left out). */
  public static Map<String, Object> toMap(LimitsRequest r) {
    Object[] v = {
      r.wallTimeMs(),
      r.cpuTimeMs(),
      r.memoryBytes(),
      r.pids(),
      r.outputBytes(),
      r.fileSizeBytes(),
      r.outDirBytes(),
      r.tmpDirBytes(),
      r.network() == null ? null : r.network().label()
    };
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < v.length; i++) {
      if (v[i] != null) {
        m.put(FIELDS.get(i), v[i]);
      }
    }
    return m;
  }

  /**
   * Reads a request from a map of JSON values.
   *
   * @throws RunnerException of kind UNKNOWN_FIELD for an unknown limit, SCHEMA_VIOLATION for a
   *     value of the wrong type
   */
  public static LimitsRequest fromMap(Map<String, ?> m) {
    if (m == null) {
      return LimitsRequest.DEFAULTS;
    }
    return io.quackrunner.limits.LimitVocabulary.read(
        m, ErrorKind.UNKNOWN_FIELD, ErrorKind.SCHEMA_VIOLATION);
  }

  /** Returns {@code over} with its unset fields taken from {@code base}. */
  public static LimitsRequest merge(LimitsRequest base, LimitsRequest over) {
    return new LimitsRequest(
        pick(over.wallTimeMs(), base.wallTimeMs()),
        pick(over.cpuTimeMs(), base.cpuTimeMs()),
        pick(over.memoryBytes(), base.memoryBytes()),
        pick(over.pids(), base.pids()),
        pick(over.outputBytes(), base.outputBytes()),
        pick(over.fileSizeBytes(), base.fileSizeBytes()),
        pick(over.outDirBytes(), base.outDirBytes()),
        pick(over.tmpDirBytes(), base.tmpDirBytes()),
        pick(over.network(), base.network()));
  }

  private static <T> T pick(T a, T b) {
    return a != null ? a : b;
  }
}
