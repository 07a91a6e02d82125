package io.quackrunner.cli;

/** Renders any text as one printable terminal line, so each CLI error is exactly one line. */
final class OneLine {
  /** Longest rendering in characters; the rest is cut and marked with an ellipsis. */
  static final int MAX_CHARS = 2000;

  private OneLine() {}

  /**
   * Returns {@code text} with line breaks, tabs and other control characters written as escapes
   * ({@code \n}, {@code \r}, {@code \t}, {@code \x1b}), cut to {@link #MAX_CHARS}.
   */
  static String of(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 16);
    for (int i = 0; i < text.length() && sb.length() < MAX_CHARS; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\x%02x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    if (sb.length() >= MAX_CHARS) {
      sb.setLength(MAX_CHARS);
      sb.append('…');
    }
    return sb.toString();
  }
}
