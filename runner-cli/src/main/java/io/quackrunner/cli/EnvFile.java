package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One strictly parsed {@code KEY=VALUE} file of the runner etc directory ({@code image.env}, {@code
 * runtime.env}, {@code tools.env}; Runner Platform ARCHITECTURE v0.2.0, "Contract
 * materialization").
 *
 * <p>Grammar, one entry per {@code \n}-terminated line, UTF-8: blank lines and lines whose first
 * non-blank character is {@code #} are ignored; every other line is {@code KEY=VALUE} with {@code
 * KEY} matching {@code [A-Za-z_][A-Za-z0-9_]*} at the start of the line. {@code VALUE} is either
 * unquoted, made only of {@code A-Z a-z 0-9 . _ : / @ + , = % ^ -}, or enclosed in double quotes
 * and free of {@code " \ $ `} and control characters. These rules make a value mean the same to
 * this parser and to a POSIX shell sourcing the file. A key may appear once.
 *
 * @param path the file read
 * @param entries the entries in file order, quotes removed
 */
record EnvFile(Path path, Map<String, String> entries) {
  /** Largest accepted file, in bytes. */
  static final int MAX_BYTES = 64 * 1024;

  private static final Pattern LEADING_BLANKS = Pattern.compile("^[ \t]+");
  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern UNQUOTED = Pattern.compile("[A-Za-z0-9._:/@+,=%^-]*");
  private static final Pattern QUOTED = Pattern.compile("\"[^\"\\\\$`\\p{Cntrl}]*\"");

  EnvFile {
    entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  /**
   * Reads and parses the file, which must exist, be a readable regular file (links followed), be
   * non-empty, at most {@link #MAX_BYTES} and valid UTF-8.
   *
   * @throws RunnerException {@link ErrorKind#CONFIGURATION} naming the file, and the line when one
   *     is malformed
   */
  static EnvFile read(Path path) {
    if (!Files.exists(path)) {
      throw problem(path, "does not exist");
    }
    if (!Files.isRegularFile(path)) {
      throw problem(path, "is not a regular file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, path + " is not readable (" + reason(e) + ")", e);
    }
    if (bytes.length == 0) {
      throw problem(path, "is empty");
    }
    if (bytes.length > MAX_BYTES) {
      throw problem(path, "is larger than " + MAX_BYTES + " bytes");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw problem(path, "is not valid UTF-8");
    }
    return new EnvFile(path, parse(path, text));
  }

  /**
   * Reads the file like {@link #read} if anything exists at {@code path} (a dangling link counts as
   * existing, and fails), else returns empty.
   */
  static Optional<EnvFile> readIfPresent(Path path) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(read(path));
  }

  /**
   * Returns the non-empty value of a required key.
   *
   * @throws RunnerException {@link ErrorKind#CONFIGURATION} if the key is missing or empty
   */
  String require(String key) {
    String value = entries.get(key);
    if (value == null) {
      throw problem(path, "lacks the required key " + key);
    }
    if (value.isEmpty()) {
      throw problem(path, "has an empty value for the required key " + key);
    }
    return value;
  }

  /** Parses {@code text}; {@code path} only names the file in errors. */
  static Map<String, String> parse(Path path, String text) {
    Map<String, String> entries = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new HashMap<>();
    String[] lines = text.split("\n", -1);
    // A final "\n" ends the last line; it does not start an empty one.
    int count = text.endsWith("\n") ? lines.length - 1 : lines.length;
    for (int i = 0; i < count; i++) {
      int number = i + 1;
      String line = lines[i];
      String content = LEADING_BLANKS.matcher(line).replaceFirst("");
      if (content.isEmpty() || content.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw malformed(path, number, "expected KEY=VALUE");
      }
      String key = line.substring(0, eq);
      if (!KEY.matcher(key).matches()) {
        throw malformed(path, number, "the key must match [A-Za-z_][A-Za-z0-9_]* at line start");
      }
      String raw = line.substring(eq + 1);
      String value;
      if (raw.startsWith("\"")) {
        if (!QUOTED.matcher(raw).matches()) {
          throw malformed(
              path,
              number,
              "a double-quoted value must end with \" and hold no \", \\, $, ` or control"
                  + " characters");
        }
        value = raw.substring(1, raw.length() - 1);
      } else if (UNQUOTED.matcher(raw).matches()) {
        value = raw;
      } else {
        throw malformed(
            path,
            number,
            "the value of "
                + key
                + " must be double-quoted (it holds characters other than A-Z a-z 0-9 ._:/@+,=%^-)");
      }
      Integer previous = firstLine.putIfAbsent(key, number);
      if (previous != null) {
        throw malformed(path, number, "duplicate key " + key + " (first on line " + previous + ")");
      }
      entries.put(key, value);
    }
    return entries;
  }

  private static RunnerException malformed(Path path, int line, String why) {
    return new RunnerException(ErrorKind.CONFIGURATION, path + " line " + line + ": " + why);
  }

  private static RunnerException problem(Path path, String what) {
    return new RunnerException(ErrorKind.CONFIGURATION, path + " " + what);
  }

  private static String reason(IOException e) {
    return e instanceof java.nio.file.AccessDeniedException
        ? "permission denied"
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
