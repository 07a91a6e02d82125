package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Percent-encodes and decodes URI path segments as RFC 3986 §2.1 and §3.3 define them, with UTF-8
 * for non-ASCII characters.
 *
 * <p>Links encode every octet outside the unreserved set ({@code A-Z a-z 0-9 - . _ ~}) of each
 * segment, so a name holding a space, {@code %}, {@code #}, {@code ?}, {@code +} or non-ASCII text
 * round-trips; the server decodes each segment of the raw request path exactly once.
 */
final class UriPath {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private UriPath() {}

  /** Returns a relative path ({@code dir/file name}) with each segment percent-encoded. */
  static String encodePath(String path) {
    StringBuilder b = new StringBuilder();
    for (String seg : path.split("/", -1)) {
      if (!b.isEmpty()) {
        b.append('/');
      }
      b.append(encodeSegment(seg));
    }
    return b.toString();
  }

  /** Returns one segment with every octet outside RFC 3986's unreserved set as {@code %XX}. */
  static String encodeSegment(String segment) {
    StringBuilder b = new StringBuilder();
    for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return b.toString();
  }

  /**
   * Splits a raw (still encoded) request path into decoded segments; a trailing {@code /} is
   * ignored.
   *
   * <p>A segment may decode to text holding {@code /} (sent as {@code %2F}); only the artifact
   * route joins segments, and it looks the result up among the run's recorded artifacts.
   *
   * @throws RunnerException of kind BAD_REQUEST for a malformed escape, bytes that are not UTF-8,
   *     or a segment that decodes to NUL
   */
  static List<String> segments(String rawPath) {
    if (rawPath == null) {
      return List.of();
    }
    String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String seg : p.split("/", -1)) {
      out.add(decodeSegment(seg));
    }
    return List.copyOf(out);
  }

  /**
   * Decodes one segment once: {@code %XX} becomes its octet, everything else stays; {@code +} is a
   * plus sign (it means a space only in form-encoded queries).
   *
   * @throws RunnerException of kind BAD_REQUEST as {@link #segments(String)} says
   */
  static String decodeSegment(String seg) {
    if (seg.indexOf('%') < 0) {
      return seg;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < seg.length(); i++) {
      char c = seg.charAt(i);
      if (c != '%') {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      int hi = i + 2 < seg.length() ? Character.digit(seg.charAt(i + 1), 16) : -1;
      int lo = hi < 0 ? -1 : Character.digit(seg.charAt(i + 2), 16);
      if (lo < 0) {
        throw bad("malformed percent-encoding in path segment '" + seg + "'");
      }
      bytes.write(hi * 16 + lo);
      i += 2;
    }
    String s;
    try {
      s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes.toByteArray()))
              .toString();
    } catch (CharacterCodingException e) {
      throw bad("path segment '" + seg + "' does not decode to UTF-8");
    }
    if (s.indexOf('\0') >= 0) {
      throw bad("path segment '" + seg + "' decodes to a NUL");
    }
    return s;
  }

  private static RunnerException bad(String m) {
    return new RunnerException(ErrorKind.BAD_REQUEST, m);
  }
}
