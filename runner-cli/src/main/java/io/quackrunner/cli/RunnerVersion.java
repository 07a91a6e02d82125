package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this runner, written into {@code runner-version.properties} by the build. */
final class RunnerVersion {
  private static final String RESOURCE = "runner-version.properties";

  private RunnerVersion() {}

  /**
   * Returns the Maven project version, e.g. {@code 0.1.0-SNAPSHOT}.
   *
   * @throws RunnerException {@link ErrorKind#INTERNAL} if the build did not write the resource
   */
  static String get() {
    try (InputStream in = RunnerVersion.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String version = p.getProperty("version", "");
        if (!version.isBlank() && !version.contains("${")) {
          return version.strip();
        }
      }
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot read " + RESOURCE + ": " + e, e);
    }
    throw new RunnerException(ErrorKind.INTERNAL, RESOURCE + " is missing from the build");
  }
}
