package io.quackrunner.limits;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The limits of one run. Times are milliseconds, sizes bytes, {@code pids} a count of processes
 * plus threads.
 *
 * @param wallTimeMs wall-clock time from sandbox start to end
 * @param cpuTimeMs CPU time (user + system) of any process, and of the sandbox in total
 * @param memoryBytes memory of the whole sandbox, tmpfs pages written by it included
 * @param pids processes and threads alive at once
 * @param outputBytes stdout plus stderr
 * @param fileSizeBytes size of any single file written
 * @param outDirBytes total size of out/
 * @param tmpDirBytes total size of /tmp
 * @param network the sandbox's network
 */
public record Limits(
    long wallTimeMs,
    long cpuTimeMs,
    long memoryBytes,
    long pids,
    long outputBytes,
    long fileSizeBytes,
    long outDirBytes,
    long tmpDirBytes,
    NetworkMode network) {

  /** Returns the limits as an ordered map of snake_case name to value, for receipts and JSON. */
  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("wall_time_ms", wallTimeMs);
    m.put("cpu_time_ms", cpuTimeMs);
    m.put("memory_bytes", memoryBytes);
    m.put("pids", pids);
    m.put("output_bytes", outputBytes);
    m.put("file_size_bytes", fileSizeBytes);
    m.put("out_dir_bytes", outDirBytes);
    m.put("tmp_dir_bytes", tmpDirBytes);
    m.put("network", network.label());
    return m;
  }

  /** Returns a copy with the given wall time in milliseconds. */
  public Limits withWallTimeMs(long v) {
    return new Limits(
        v,
        cpuTimeMs,
        memoryBytes,
        pids,
        outputBytes,
        fileSizeBytes,
        outDirBytes,
        tmpDirBytes,
        network);
  }
}
