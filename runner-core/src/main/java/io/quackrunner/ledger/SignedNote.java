package io.quackrunner.ledger;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Reads, writes and checks C2SP signed notes
 * (https://github.com/C2SP/C2SP/blob/main/signed-note.md).
 *
 * <p>A note is text ending in a newline, a blank line, then one or more signature lines. Text may
 * hold no ASCII control character but newline.
 */
final class SignedNote {
  private static final String DASH = "\u2014 ";
  private static final int MAX_SIGNATURES = 100;

  private SignedNote() {}

  record Parsed(String text, List<NoteSignature> signatures) {}

  static Parsed parse(String note) {
    int split = note.lastIndexOf("\n\n");
    require(split >= 0 && note.endsWith("\n"), "no blank line before signatures");
    require(split + 2 < note.length(), "no signature lines");
    String text = note.substring(0, split + 1);
    requireText(text);
    String[] lines = note.substring(split + 2, note.length() - 1).split("\n", -1);
    require(lines.length <= MAX_SIGNATURES, "too many signatures");
    List<NoteSignature> signatures = new ArrayList<>();
    for (String line : lines) {
      require(line.startsWith(DASH), "signature line must start with an em dash and a space");
      String[] parts = line.substring(DASH.length()).split(" ", -1);
      require(
          parts.length == 2 && NoteVerifier.isValidKeyName(parts[0]),
          "signature line must be '— name base64'");
      byte[] both = decode(parts[1]);
      require(both.length > 4, "signature too short");
      signatures.add(
          new NoteSignature(
              parts[0], Arrays.copyOf(both, 4), Arrays.copyOfRange(both, 4, both.length)));
    }
    return new Parsed(text, signatures);
  }

  static String format(String text, List<NoteSignature> signatures) {
    StringBuilder out = new StringBuilder(text).append('\n');
    for (NoteSignature s : signatures) {
      out.append(s.line()).append('\n');
    }
    return out.toString();
  }

  static NoteSignature sign(String text, NoteSigner signer) {
    requireText(text);
    byte[] sig = signer.sign(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new NoteSignature(signer.name(), signer.keyHash(), sig);
  }

  /**
   * Checks that at least one known key signed {@code text} and every signature by a known key is
   * valid; signatures by unknown keys are ignored, as the spec requires.
   */
  static void verify(
      String text, List<NoteSignature> signatures, Collection<? extends NoteVerifier> keys) {
    byte[] message = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int good = 0;
    for (NoteSignature s : signatures) {
      for (NoteVerifier key : keys) {
        if (s.isBy(key)) {
          if (!key.verify(message, s.signature())) {
            throw new RunnerException(
                ErrorKind.VERIFICATION_FAILED, "invalid signature by " + s + " on the note");
          }
          good++;
        }
      }
    }
    if (good == 0) {
      throw new RunnerException(
          ErrorKind.VERIFICATION_FAILED,
          "note has no signature by a known key (signed by " + signatures + ")");
    }
  }

  static void requireText(String text) {
    require(text.endsWith("\n") && !text.isEmpty(), "note text must end with a newline");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      require(c == '\n' || (c >= 0x20 && c != 0x7f), "note text holds a control character");
      require(!Character.isSurrogate(c) || validPair(text, i), "note text is not valid UTF-16");
    }
  }

  static byte[] decode(String base64) {
    try {
      byte[] bytes = Base64.getDecoder().decode(base64);
      if (Base64.getEncoder().encodeToString(bytes).equals(base64)) {
        return bytes;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw fail("not standard padded base64: " + base64);
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw fail(message);
    }
  }

  private static boolean validPair(String s, int i) {
    char c = s.charAt(i);
    return Character.isHighSurrogate(c)
        ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
        : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  private static RunnerException fail(String message) {
    return new RunnerException(ErrorKind.VERIFICATION_FAILED, "bad signed note: " + message);
  }
}
