package io.quackrunner.images;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A runner image's recipe, {@code runners/<runner-id>/recipe.json} (docs/IMAGES.md "Runner
 * recipes"): the Debian suite and packages mmdebstrap installs, and files fetched by URL and
 * verified by their Subresource Integrity hash (as the npm registry publishes it).
 *
 * @param description what the image holds, one line
 * @param suite the Debian suite, e.g. {@code bookworm}
 * @param mirror the Debian mirror URL
 * @param variant mmdebstrap's variant, e.g. {@code essential}
 * @param include Debian packages installed on top of the variant
 * @param exclude dpkg {@code path-exclude} globs (documentation, manuals, locales)
 * @param sourceDateEpoch seconds since 1970: every member's mtime and the image's creation time
 * @param path the image config's {@code PATH}
 * @param files files added to the root filesystem, or null for none
 * @param unavailable what is missing when the image cannot be built here, or null
 */
public record Recipe(
    String description,
    String suite,
    String mirror,
    String variant,
    List<String> include,
    List<String> exclude,
    @JsonProperty("source_date_epoch") long sourceDateEpoch,
    String path,
    List<FetchedFile> files,
    String unavailable) {

  /**
   * One file taken from a fetched gzip tarball.
   *
   * @param url where the tarball is
   * @param integrity its SRI hash, {@code sha512-<base64>}
   * @param member the tarball member to take, e.g. {@code package/bin/node}
   * @param to where it goes in the root filesystem, relative, e.g. {@code usr/bin/node}
   * @param mode its permission bits, octal, e.g. {@code 0755}
   */
  public record FetchedFile(String url, String integrity, String member, String to, String mode) {}

  /** Defaults the lists. */
  public Recipe {
    include = include == null ? List.of() : List.copyOf(include);
    exclude = exclude == null ? List.of() : List.copyOf(exclude);
    files = files == null ? List.of() : List.copyOf(files);
  }

  /**
   * Reads {@code dir/recipe.json}.
   *
   * @return the recipe and the SHA-256 (hex) of the file's bytes
   * @throws RunnerException NOT_FOUND when there is no recipe, CONFIGURATION when it is malformed
   */
  public static Loaded load(Path dir) {
    Path file = dir.resolve("recipe.json");
    if (!Files.isRegularFile(file)) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND, "no runner recipe " + file + " (runners/<runner-id>/recipe.json)");
    }
    try {
      byte[] b = Files.readAllBytes(file);
      Recipe r =
          new ObjectMapper()
              .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .readValue(b, Recipe.class);
      if (r.suite() == null || r.mirror() == null || r.variant() == null || r.path() == null) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION, file + ": needs suite, mirror, variant and path");
      }
      return new Loaded(r, sha256(b));
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, file + ": " + e.getMessage().split("\n")[0]);
    }
  }

  /**
   * A recipe and the SHA-256 of its file.
   *
   * @param recipe the recipe
   * @param sha256 64 hex digits
   */
  public record Loaded(Recipe recipe, String sha256) {}

  /** Returns the SHA-256 of {@code b} as 64 lowercase hex digits. */
  public static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
