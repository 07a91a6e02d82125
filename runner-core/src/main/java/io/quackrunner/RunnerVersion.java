package io.quackrunner;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this QuackRunner build, as receipts and {@code runner version} report it. */
public final class RunnerVersion {
  private static final String VERSION = load();

  private RunnerVersion() {}

  /** Returns the Maven project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = RunnerVersion.class.getResourceAsStream("runner-core.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("runner-core.properties missing from the build", e);
    }
  }
}
