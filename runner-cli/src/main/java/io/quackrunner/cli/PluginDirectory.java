package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The plugin directory (Runner Platform CONTRACT v0.2.0, "Plugin mechanism"): its plugins are the
 * executable regular files (links followed) whose names match {@link #NAME}.
 *
 * <p>Directories, non-executable files and badly named files are not plugins. Whether a plugin is
 * shadowed by a core command is the caller's concern: this class knows nothing of core commands.
 */
final class PluginDirectory {
  /** A plugin name: lower-case letters, digits, {@code .}, {@code _} and {@code -}; no paths. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  private final Path dir;

  PluginDirectory(Path dir) {
    this.dir = dir;
  }

  /** Returns the directory. */
  Path dir() {
    return dir;
  }

  /** Returns whether the directory exists. */
  boolean exists() {
    return Files.isDirectory(dir);
  }

  /**
   * Returns the plugins sorted by name; none if the directory does not exist.
   *
   * @throws RunnerException {@link ErrorKind#CONFIGURATION} if the directory cannot be listed
   */
  List<Plugin> list() {
    if (!exists()) {
      return List.of();
    }
    List<Plugin> plugins = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        find(entry.getFileName().toString()).ifPresent(plugins::add);
      }
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot list the plugin directory " + dir + ": " + e, e);
    }
    plugins.sort(Comparator.comparing(Plugin::name));
    return List.copyOf(plugins);
  }

  /** Returns the plugin called exactly {@code name}, if there is one. */
  Optional<Plugin> find(String name) {
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    Path file = dir.resolve(name);
    if (Files.isRegularFile(file) && Files.isExecutable(file)) {
      return Optional.of(new Plugin(name, file));
    }
    return Optional.empty();
  }
}
