package io.quackrunner.logs;

import io.quackrunner.secrets.SecretValue;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The byte patterns that stand for a run's secret values in its output, each with the marker {@code
 * [REDACTED:NAME]} that replaces it.
 *
 * <p>For a value {@code v} the patterns are: {@code v} itself; its URL encodings (RFC 3986
 * percent-encoding with upper- and lower-case hex, and {@code application/x-www-form-urlencoded} as
 * {@link URLEncoder} writes it); and, in the standard and the URL-safe base64 alphabets (RFC 4648
 * §4 and §5), the padded encoding of {@code v} alone plus the characters that {@code v} alone
 * determines in each of the three alignments it can have inside a longer base64 text (0, 1 or 2
 * bytes before it in its 3-byte group). The base64 patterns are used only when they are at least
 * {@value #MIN_DERIVED} characters long, so a short value does not blank out unrelated text; the
 * few characters at the edges of an embedded base64 occurrence that mix the value's bits with its
 * neighbours' (at most 6 bits of the value per edge) are not redacted. Base64 wrapped across lines
 * and other encodings (hex, JSON escapes, compression) are not recognized.
 */
public final class Redaction {
  /** The shortest derived (encoded) pattern used, in bytes. */
  public static final int MIN_DERIVED = 8;

  /** The shortest value whose encodings are redacted too, in bytes. */
  public static final int MIN_DERIVED_VALUE = 6;

  /** No secrets: nothing is redacted. */
  public static final Redaction NONE = new Redaction(List.of());

  /**
   * One pattern and its replacement.
   *
   * @param bytes what is looked for
   * @param marker what replaces it
   */
  record Pattern(byte[] bytes, byte[] marker) {}

  private final List<Pattern> patterns;
  private final int maxLength;
  private final boolean[] firstBytes = new boolean[256];

  private Redaction(List<Pattern> patterns) {
    this.patterns = List.copyOf(patterns);
    this.maxLength = patterns.stream().mapToInt(p -> p.bytes().length).max().orElse(0);
    patterns.forEach(p -> firstBytes[p.bytes()[0] & 0xff] = true);
  }

  /** Whether some pattern starts with this byte. */
  boolean starts(byte b) {
    return firstBytes[b & 0xff];
  }

  /** Returns the patterns of these secrets (an empty list gives {@link #NONE}). */
  public static Redaction of(List<SecretValue> secrets) {
    if (secrets.isEmpty()) {
      return NONE;
    }
    List<Pattern> all = new ArrayList<>();
    for (SecretValue s : secrets) {
      byte[] marker = ("[REDACTED:" + s.name() + "]").getBytes(StandardCharsets.US_ASCII);
      for (byte[] p : forms(s.value())) {
        all.add(new Pattern(p, marker));
      }
    }
    return new Redaction(all);
  }

  /** Returns whether there is nothing to redact. */
  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  List<Pattern> patterns() {
    return patterns;
  }

  int maxLength() {
    return maxLength;
  }

  /** Returns a new streaming redactor over these patterns, for one output stream. */
  public Redactor redactor() {
    return new Redactor(this);
  }

  /** Returns the distinct forms of one value, the value first. */
  static List<byte[]> forms(byte[] v) {
    Set<String> seen = new LinkedHashSet<>();
    List<byte[]> out = new ArrayList<>();
    add(out, seen, v, 1);
    if (v.length < MIN_DERIVED_VALUE) {
      return out;
    }
    add(out, seen, percent(v, "%02X"), MIN_DERIVED);
    add(out, seen, percent(v, "%02x"), MIN_DERIVED);
    String text = utf8(v);
    if (text != null) {
      add(out, seen, URLEncoder.encode(text, StandardCharsets.UTF_8).getBytes(), MIN_DERIVED);
    }
    for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
      add(out, seen, enc.encode(v), MIN_DERIVED);
      for (int a = 0; a < 3; a++) {
        add(out, seen, aligned(enc, v, a), MIN_DERIVED);
      }
    }
    return out;
  }

  private static void add(List<byte[]> out, Set<String> seen, byte[] p, int min) {
    if (p.length >= min && seen.add(new String(p, StandardCharsets.ISO_8859_1))) {
      out.add(p);
    }
  }

  /**
   * Returns the base64 characters that only the value's bits determine when {@code a} bytes of
   * other data precede it in its 3-byte group: characters {@code ceil(8a/6)} up to {@code floor((8a
   * + 8n)/6)} of the encoding of {@code a} zero bytes, the value and two zero bytes.
   */
  static byte[] aligned(Base64.Encoder enc, byte[] v, int a) {
    byte[] padded = new byte[a + v.length + 2];
    System.arraycopy(v, 0, padded, a, v.length);
    byte[] all = enc.withoutPadding().encode(padded);
    int from = (8 * a + 5) / 6;
    int to = (8 * a + 8 * v.length) / 6;
    return to <= from ? new byte[0] : Arrays.copyOfRange(all, from, to);
  }

  private static byte[] percent(byte[] v, String hex) {
    StringBuilder b = new StringBuilder();
    for (byte x : v) {
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
        b.append('%').append(String.format(hex, c));
      }
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static String utf8(byte[] v) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(v))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
