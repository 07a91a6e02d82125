package io.quackrunner.images;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.ArrayList;
import java.util.List;

/**
 * A tar member name checked and split into components: relative, without {@code ..}, NUL, or
 * components longer than 255 bytes; {@code ./} prefixes, {@code .} components and repeated slashes
 * are dropped. An empty list is the archive's root.
 */
final class EntryPath {
  static final int MAX_NAME_CHARS = 4096;

  private EntryPath() {}

  /**
   * Splits a member name into its components.
   *
   * @throws RunnerException of kind VERIFICATION_FAILED for an absolute name, a {@code ..}
   *     component, a NUL, or an overlong name
   */
  static List<String> split(String name, String what) {
    if (name == null || name.length() > MAX_NAME_CHARS || name.indexOf('\0') >= 0) {
      throw refuse(what + ": bad member name");
    }
    if (name.startsWith("/")) {
      throw refuse(what + ": absolute member name " + quote(name));
    }
    List<String> parts = new ArrayList<>();
    for (String c : name.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        throw refuse(what + ": member name with '..' " + quote(name));
      }
      if (c.length() > 255) {
        throw refuse(what + ": member name component longer than 255 " + quote(name));
      }
      parts.add(c);
    }
    return parts;
  }

  static String quote(String s) {
    String t = s.length() > 200 ? s.substring(0, 200) + "…" : s;
    return "'" + t.replaceAll("[\\p{Cntrl}]", "?") + "'";
  }

  static RunnerException refuse(String msg) {
    return new RunnerException(ErrorKind.VERIFICATION_FAILED, msg);
  }
}
