package io.quackrunner.images;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * {@code runner image build}: builds a runner's recipe ({@link Recipe}) with Debian's {@code
 * mmdebstrap} into an OCI layout ({@link LayoutWriter}) and imports it into the image store.
 *
 * <p>Built layouts are cached under {@code cache/<runner-id>/<key>/}, where the key is the SHA-256
 * of the recipe file's hash and the suite's {@code InRelease} (which fixes every package version
 * the mirror serves): the same key gives the same image, so a cached layout is imported without
 * building. Nothing is ever substituted: a recipe that is {@code unavailable}, a missing
 * mmdebstrap, a failed download or an integrity mismatch fail the build.
 */
public final class ImageBuilder {
  /** The default layout cache, {@code /var/cache/quackrunner/images}. */
  public static final Path DEFAULT_CACHE = Path.of("/var/cache/quackrunner/images");

  private static final Duration TIMEOUT = Duration.ofMinutes(20);

  private final Path runners;
  private final Path cache;
  private final ImageStore store;
  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(20))
          .build();

  /**
   * @param runners the {@code runners/} directory holding {@code <runner-id>/recipe.json}
   * @param cache the layout cache directory
   * @param store the store the image is imported into
   */
  public ImageBuilder(Path runners, Path cache, ImageStore store) {
    this.runners = runners;
    this.cache = cache;
    this.store = store;
  }

  /**
   * What a build did.
   *
   * @param image the imported image
   * @param cached whether the layout came from the cache (no mmdebstrap run)
   * @param layout the layout directory in the cache
   * @param buildMs milliseconds spent building (0 when cached)
   * @param importMs milliseconds spent importing
   */
  public record Result(
      StoredImage image, boolean cached, Path layout, long buildMs, long importMs) {}

  /**
   * Builds (or takes from the cache) and imports the image of runner {@code id}, named {@code id}.
   *
   * @param useCache false to build even when the cache holds the key (the cache is then replaced)
   * @throws RunnerException NOT_FOUND for an unknown runner, a recipe that cannot be built here
   *     (naming what is missing) or a missing mmdebstrap; EXECUTION_FAILED when mmdebstrap or a
   *     download fails; VERIFICATION_FAILED when a download does not match its integrity hash
   */
  public Result build(String id, boolean useCache) {
    if (!ImageStore.NAME.matcher(id).matches()) {
      throw new RunnerException(ErrorKind.USAGE, "bad runner id '" + id + "'");
    }
    Recipe.Loaded loaded = Recipe.load(runners.resolve(id));
    Recipe r = loaded.recipe();
    if (r.unavailable() != null) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND,
          "runner " + id + " cannot be built here: missing " + r.unavailable());
    }
    String key = key(loaded);
    Path layout = cache.resolve(id).resolve(key);
    long t0 = System.nanoTime();
    boolean cached = useCache && Files.isRegularFile(layout.resolve("index.json"));
    if (!cached) {
      buildInto(id, loaded, layout);
    }
    long t1 = System.nanoTime();
    StoredImage img = store.importFrom(layout, id, null);
    long t2 = System.nanoTime();
    return new Result(
        img, cached, layout, cached ? 0 : (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
  }

  /** The cache key: SHA-256 of the recipe's hash and the suite's InRelease file. */
  String key(Recipe.Loaded loaded) {
    Recipe r = loaded.recipe();
    byte[] release = get(r.mirror() + "/dists/" + r.suite() + "/InRelease");
    return Recipe.sha256(
        (loaded.sha256() + "\n" + Recipe.sha256(release)).getBytes(StandardCharsets.UTF_8));
  }

  private void buildInto(String id, Recipe.Loaded loaded, Path layout) {
    Recipe r = loaded.recipe();
    Path work = cache.resolve(id).resolve("tmp-" + UUID.randomUUID());
    try {
      Files.createDirectories(work);
      Path rootfs = work.resolve("rootfs.tar");
      mmdebstrap(r, rootfs, work.resolve("mmdebstrap.log"));
      List<LayoutWriter.Extra> extras = new ArrayList<>();
      int n = 0;
      for (Recipe.FetchedFile f : r.files()) {
        Path content = work.resolve("file-" + n++);
        fetchMember(f, content);
        extras.add(new LayoutWriter.Extra(f.to(), content, Integer.parseInt(f.mode(), 8)));
      }
      Path out = work.resolve("layout");
      LayoutWriter.write(
          rootfs,
          extras,
          r.sourceDateEpoch(),
          r.path(),
          id,
          Map.of(
              "io.quackrunner.recipe.sha256",
              loaded.sha256(),
              "org.opencontainers.image.title",
              id,
              "org.opencontainers.image.description",
              r.description() == null ? id : r.description()),
          out);
      deleteTree(layout);
      Files.move(out, layout, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "building " + id + ": " + e);
    } finally {
      deleteTree(work);
    }
  }

  private static void mmdebstrap(Recipe r, Path out, Path log) throws IOException {
    Path exe = Path.of("/usr/bin/mmdebstrap");
    if (!Files.isExecutable(exe)) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND,
          "mmdebstrap is not installed (Debian package mmdebstrap; bin/setup installs it)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            exe.toString(),
            "--quiet",
            "--mode=auto",
            "--variant=" + r.variant(),
            "--format=tar",
            "--architectures=amd64"));
    if (!r.include().isEmpty()) {
      cmd.add("--include=" + String.join(",", r.include()));
    }
    for (String x : r.exclude()) {
      cmd.add("--dpkgopt=path-exclude=" + x);
    }
    cmd.addAll(List.of(r.suite(), out.toString(), r.mirror()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("SOURCE_DATE_EPOCH", Long.toString(r.sourceDateEpoch()));
    Process p = pb.start();
    try {
      if (!p.waitFor(TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new RunnerException(
            ErrorKind.EXECUTION_FAILED,
            "mmdebstrap did not finish in " + TIMEOUT.toMinutes() + " min");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "interrupted");
    }
    if (p.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log);
      throw new RunnerException(
          ErrorKind.EXECUTION_FAILED,
          "mmdebstrap exited "
              + p.exitValue()
              + ": "
              + (lines.isEmpty() ? "no output" : lines.get(lines.size() - 1)));
    }
  }

  /** Downloads {@code f.url}, checks its SRI hash, and writes its member {@code f.member}. */
  private void fetchMember(Recipe.FetchedFile f, Path out) throws IOException {
    byte[] tgz = get(f.url());
    String[] sri = f.integrity().split("-", 2);
    if (sri.length != 2 || !sri[0].equals("sha512")) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, f.url() + ": integrity must be sha512-<base64>");
    }
    byte[] want = Base64.getDecoder().decode(sri[1]);
    byte[] got;
    try {
      got = MessageDigest.getInstance("SHA-512").digest(tgz);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    if (!MessageDigest.isEqual(want, got)) {
      throw new RunnerException(
          ErrorKind.VERIFICATION_FAILED,
          f.url()
              + ": integrity mismatch (want "
              + f.integrity()
              + ", got sha512-"
              + Base64.getEncoder().encodeToString(got)
              + ")");
    }
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(
            new GzipCompressorInputStream(new java.io.ByteArrayInputStream(tgz)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile() && e.getName().equals(f.member())) {
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          return;
        }
      }
    }
    throw new RunnerException(
        ErrorKind.VERIFICATION_FAILED, f.url() + " has no member " + f.member());
  }

  private byte[] get(String url) {
    try {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new RunnerException(
            ErrorKind.EXECUTION_FAILED, "GET " + url + ": HTTP " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "GET " + url + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "interrupted");
    }
  }

  /** Removes {@code p} and everything under it, not following links; absent is fine. */
  public static void deleteTree(Path p) {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot remove " + p + ": " + e);
    }
  }
}
