package io.quackrunner.artifacts;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** Names the media type of an artifact from its first bytes, else its extension. */
public final class MediaTypes {
  private static final Map<String, String> BY_EXTENSION =
      Map.ofEntries(
          Map.entry("txt", "text/plain"),
          Map.entry("log", "text/plain"),
          Map.entry("csv", "text/csv"),
          Map.entry("tsv", "text/tab-separated-values"),
          Map.entry("json", "application/json"),
          Map.entry("jsonl", "application/jsonl"),
          Map.entry("xml", "application/xml"),
          Map.entry("html", "text/html"),
          Map.entry("md", "text/markdown"),
          Map.entry("yaml", "application/yaml"),
          Map.entry("yml", "application/yaml"),
          Map.entry("c", "text/x-c"),
          Map.entry("h", "text/x-c"),
          Map.entry("py", "text/x-python"),
          Map.entry("js", "text/javascript"),
          Map.entry("png", "image/png"),
          Map.entry("jpg", "image/jpeg"),
          Map.entry("jpeg", "image/jpeg"),
          Map.entry("gif", "image/gif"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("webp", "image/webp"),
          Map.entry("pdf", "application/pdf"),
          Map.entry("zip", "application/zip"),
          Map.entry("gz", "application/gzip"),
          Map.entry("tar", "application/x-tar"));

  private MediaTypes() {}

  /** Returns the media type for a file name and its first bytes (up to 16 are looked at). */
  public static String detect(String name, byte[] head) {
    if (startsWith(head, 0x89, 'P', 'N', 'G')) {
      return "image/png";
    }
    if (startsWith(head, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (startsWith(head, 'G', 'I', 'F', '8')) {
      return "image/gif";
    }
    if (startsWith(head, '%', 'P', 'D', 'F')) {
      return "application/pdf";
    }
    if (startsWith(head, 0x7F, 'E', 'L', 'F')) {
      return "application/x-executable";
    }
    if (startsWith(head, 0x1F, 0x8B)) {
      return "application/gzip";
    }
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return BY_EXTENSION.getOrDefault(ext, "application/octet-stream");
  }

  private static boolean startsWith(byte[] head, int... magic) {
    if (head.length < magic.length) {
      return false;
    }
    int[] h = new int[magic.length];
    for (int i = 0; i < magic.length; i++) {
      h[i] = head[i] & 0xFF;
    }
    return Arrays.equals(h, magic);
  }
}
