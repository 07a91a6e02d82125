package io.quackrunner.cli;

import java.nio.file.Path;

/**
 * An executable regular file in the plugin directory, run only as {@code runner NAME [ARGS...]}.
 *
 * @param name the file name, which is the command name
 * @param path the file
 */
record Plugin(String name, Path path) {}
