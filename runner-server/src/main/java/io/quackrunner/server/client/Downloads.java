package io.quackrunner.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Downloads a run's files so that only verified files ever appear under their final names: each is
 * written aside ({@code .<name>.part-<uuid>}), its HTTP status, size and SHA-256 checked against
 * the RunResult, and only then renamed into place; a file already there is kept only when it is the
 * same bytes, and is never overwritten.
 */
final class Downloads {
  private final HttpClient http;
  private final Function<String, HttpRequest.Builder> request;
  private final PrintStream err;
  private final List<String> failures = new ArrayList<>();

  Downloads(HttpClient http, Function<String, HttpRequest.Builder> request, PrintStream err) {
    this.http = http;
    this.request = request;
    this.err = err;
  }

  /** Returns one line per file that could not be fetched, in the order they were tried. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  /**
   * Fetches every artifact of a RunResult into {@code dir} (created when absent); each one that
   * fails is recorded in {@link #failures()} and the others are still fetched.
   */
  void artifacts(JsonNode result, Path dir) throws InterruptedException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      failures.add("cannot create " + dir + ": " + e.getMessage());
      return;
    }
    Path root = dir.toAbsolutePath().normalize();
    for (JsonNode a : result.path("artifacts")) {
      String rel = a.path("path").asText();
      Path target = root.resolve(rel).normalize();
      if (rel.isEmpty() || !target.startsWith(root) || target.equals(root)) {
        failures.add(rel + ": the path leaves " + dir + "; not written");
        continue;
      }
      fetch(
          rel,
          a.path("href").asText(),
          target,
          a.path("size").asLong(-1),
          a.path("sha256").asText());
    }
  }

  /**
   * Fetches one file to {@code target}; {@code size} -1 and {@code sha256} null skip those checks.
   * Returns the bytes kept, or null (and a recorded failure) when nothing was kept.
   */
  byte[] fetch(String what, String href, Path target, long size, String sha256)
      throws InterruptedException {
    Path part = null;
    try {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        return existing(what, target, size, sha256);
      }
      Files.createDirectories(target.getParent());
      part = target.resolveSibling("." + target.getFileName() + ".part-" + UUID.randomUUID());
      HttpResponse<Path> resp;
      try {
        resp =
            http.send(
                request.apply(href).GET().build(),
                HttpResponse.BodyHandlers.ofFile(
                    part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      } catch (IOException e) {
        failures.add(what + ": download failed: " + e.getMessage());
        return null;
      }
      if (resp.statusCode() != 200) {
        failures.add(what + ": HTTP " + resp.statusCode() + " from " + href);
        return null;
      }
      byte[] got = Files.readAllBytes(part);
      String bad = mismatch(got, size, sha256);
      if (bad != null) {
        failures.add(what + ": " + bad + "; not kept");
        return null;
      }
      // Without REPLACE_EXISTING the move fails rather than replace a file made meanwhile.
      Files.move(part, target);
      part = null;
      return got;
    } catch (FileAlreadyExistsException e) {
      failures.add(what + ": " + target + " appeared while downloading; not overwritten");
      return null;
    } catch (IOException e) {
      failures.add(what + ": cannot write " + target + ": " + e.getMessage());
      return null;
    } finally {
      if (part != null) {
        try {
          Files.deleteIfExists(part);
        } catch (IOException e) {
          failures.add(what + ": cannot remove the partial file " + part);
        }
      }
    }
  }

  /**
   * Keeps bytes already fetched (and checked by the caller) at {@code target}: written aside and
   * renamed, or, when the file exists, kept only if it holds the same bytes. Returns whether the
   * target now holds them.
   */
  boolean keep(String what, Path target, byte[] bytes) {
    Path part = null;
    try {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        return existing(what, target, bytes.length, sha256(bytes)) != null;
      }
      Files.createDirectories(target.toAbsolutePath().getParent());
      part = target.resolveSibling("." + target.getFileName() + ".part-" + UUID.randomUUID());
      Files.write(part, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.move(part, target);
      part = null;
      return true;
    } catch (IOException e) {
      failures.add(what + ": cannot write " + target + ": " + e.getMessage());
      return false;
    } finally {
      if (part != null) {
        try {
          Files.deleteIfExists(part);
        } catch (IOException e) {
          failures.add(what + ": cannot remove the partial file " + part);
        }
      }
    }
  }

  /** Records a failure that happened outside this class (a receipt that could not be fetched). */
  void failed(String line) {
    failures.add(line);
  }

  private byte[] existing(String what, Path target, long size, String sha256) throws IOException {
    if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
      failures.add(what + ": " + target + " exists and is not a regular file; not overwritten");
      return null;
    }
    byte[] have;
    try (InputStream in = Files.newInputStream(target, LinkOption.NOFOLLOW_LINKS)) {
      have = in.readAllBytes();
    }
    String bad = mismatch(have, size, sha256);
    if (bad != null || sha256 == null) {
      failures.add(
          what
              + ": "
              + target
              + " exists"
              + (bad == null ? "" : " and differs (" + bad + ")")
              + "; not overwritten (give --output DIR to download elsewhere)");
      return null;
    }
    err.println("  " + what + ": " + target + " already holds it (sha256 checked)");
    return have;
  }

  private static String mismatch(byte[] got, long size, String sha256) {
    if (size >= 0 && got.length != size) {
      return "got " + got.length + " bytes, the run result says " + size;
    }
    if (sha256 != null && !sha256.equals(sha256(got))) {
      return "SHA-256 " + sha256(got) + " differs from the run result's " + sha256;
    }
    return null;
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
