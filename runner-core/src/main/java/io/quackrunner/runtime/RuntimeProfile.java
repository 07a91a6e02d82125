package io.quackrunner.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One runtime a run can ask for with {@code --runtime ID}: what it is, which host paths the sandbox
 * sees read-only, and how its version is read (MPLP Runner Framework V2 "per-runtime runners").
 *
 * @param id the profile name, e.g. {@code python-3.11}
 * @param type the runtime type in the fingerprint, e.g. {@code python}
 * @param versionCommand host argv that prints the version
 * @param versionPattern regex whose group 1 is the version in that output
 * @param versionPrefix the version must start with this (e.g. {@code 3.11.}); another version is
 *     refused, never substituted
 * @param path the PATH inside the sandbox
 * @param binds extra host paths bound read-only at the same place (beyond /usr and the base /etc
 *     files); missing ones are skipped
 * @param env fixed environment variables for this runtime
 */
public record RuntimeProfile(
    String id,
    String type,
    @JsonProperty("version_command") List<String> versionCommand,
    @JsonProperty("version_pattern") String versionPattern,
    @JsonProperty("version_prefix") String versionPrefix,
    String path,
    List<String> binds,
    Map<String, String> env) {

  /** Normalizes absent lists and maps to empty ones. */
  public RuntimeProfile {
    binds = binds == null ? List.of() : List.copyOf(binds);
    env = env == null ? Map.of() : Map.copyOf(env);
    path = path == null ? "/usr/bin:/bin" : path;
  }
}
