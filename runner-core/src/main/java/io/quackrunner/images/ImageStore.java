package io.quackrunner.images;

import static io.quackrunner.images.EntryPath.refuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The local, content-addressed image store of a state directory ({@code <state>/images}): {@code
 * roots/<hex>/rootfs} is the unpacked root filesystem of the image whose manifest digest is {@code
 * sha256:<hex>}, beside its {@code image.json}, {@code manifest.json} and {@code config.json};
 * {@code refs/<name>} names an image by digest. Imports stage in {@code tmp/} and are renamed into
 * place, so a root is complete or absent; importing the same image again only moves the name.
 */
public final class ImageStore {
  /** Names of images: lowercase letters, digits, '.', '_' and '-', up to 128, e.g. python-3.11. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

  /** Default cap on an image's unpacked file bytes and on an archive's size: 16 GiB. */
  public static final long DEFAULT_MAX_BYTES = 16L << 30;

  /** Default cap on the members of an image's layers, all layers together. */
  public static final long DEFAULT_MAX_ENTRIES = 1_000_000;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final long maxBytes;
  private final long maxEntries;

  private ImageStore(Path dir, long maxBytes, long maxEntries) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.maxEntries = maxEntries;
  }

  /** Opens (without creating) the store of a state directory. */
  public static ImageStore open(Path stateDir) {
    return new ImageStore(stateDir.resolve("images"), DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES);
  }

  /** Returns a store over the same directory with other caps (bytes, member count). */
  public ImageStore withLimits(long maxBytes, long maxEntries) {
    return new ImageStore(dir, maxBytes, maxEntries);
  }

  /** Returns the store's directory. */
  public Path directory() {
    return dir;
  }

  /**
   * Imports an OCI image layout directory or an OCI archive (a tar of one, as {@code skopeo copy
   * ... oci-archive:FILE} writes): verifies every blob's digest and size against its descriptor and
   * each layer's {@code diff_id}, unpacks the layers (see {@link LayerUnpacker}), prepares the
   * sandbox's mount points, and names the image.
   *
   * @param source a layout directory or an archive file
   * @param name the name to give it, or null for the layout's ref name when that is a valid name
   * @param ref the ref name to choose when the layout holds several images, or null
   * @throws RunnerException of kind VERIFICATION_FAILED when the image is malformed, refused or
   *     does not match its digests; USAGE for a bad name; NOT_FOUND when the source is missing
   */
  public StoredImage importFrom(Path source, String name, String ref) {
    if (name != null && !NAME.matcher(name).matches()) {
      throw new RunnerException(ErrorKind.USAGE, "bad image name '" + name + "' (" + NAME + ")");
    }
    if (!Files.exists(source)) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no such file or directory: " + source);
    }
    Path staging = dir.resolve("tmp").resolve(UUID.randomUUID().toString());
    try {
      Files.createDirectories(dir.resolve("roots"));
      Files.createDirectories(dir.resolve("refs"));
      Files.createDirectories(staging);
      Files.setPosixFilePermissions(staging, LayerUnpacker.perms(0700));
      BlobDir blobs;
      if (Files.isDirectory(source)) {
        blobs = BlobDir.fromLayout(source, staging.resolve("blobs"));
      } else {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(source), 1 << 16)) {
          blobs = BlobDir.fromArchive(in, staging.resolve("blobs"), maxBytes);
        }
      }
      OciManifest m = OciManifest.read(blobs, ref);
      Path image = staging.resolve("image");
      Path rootfs = image.resolve("rootfs");
      Files.createDirectories(rootfs);
      Files.setPosixFilePermissions(rootfs, LayerUnpacker.perms(0755));
      LayerUnpacker u = new LayerUnpacker(rootfs, maxBytes, maxEntries);
      List<StoredImage.Layer> layers = new ArrayList<>();
      for (int i = 0; i < m.layers().size(); i++) {
        Descriptor l = m.layers().get(i);
        Digest diffId = m.diffIds().get(i);
        unpack(u, blobs.verified(l), l, diffId);
        layers.add(
            new StoredImage.Layer(
                l.digest().toString(), diffId.toString(), l.mediaType(), l.size()));
      }
      SandboxRoot.prepare(rootfs);
      JsonNode cfg = JSON.readTree(m.configJson()).path("config");
      StoredImage stored =
          new StoredImage(
              m.manifest().digest().toString(),
              m.config().digest().toString(),
              layers,
              m.refName(),
              DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)),
              u.bytes(),
              u.skippedDevices(),
              u.clearedModeBits(),
              strings(cfg.get("Env")),
              strings(cfg.get("Entrypoint")));
      Files.write(image.resolve("manifest.json"), m.manifestJson());
      Files.write(image.resolve("config.json"), m.configJson());
      Files.write(image.resolve("image.json"), JSON.writeValueAsBytes(stored));
      Files.setPosixFilePermissions(image, LayerUnpacker.perms(0755));
      Path target = dir.resolve("roots").resolve(m.manifest().digest().hex());
      if (!Files.isDirectory(target)) {
        try {
          Files.move(image, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileSystemException e) {
          // A concurrent import of the same image won the rename: it holds the same bytes.
          if (!Files.isDirectory(target)) {
            throw e;
          }
        }
      }
      String n = name != null ? name : validName(m.refName());
      if (n != null) {
        writeRef(n, m.manifest().digest());
      }
      return read(m.manifest().digest());
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.VERIFICATION_FAILED, "cannot import " + source + ": " + e.getMessage());
    } catch (RunnerException e) {
      throw new RunnerException(e.kind(), "cannot import " + source + ": " + e.getMessage());
    } finally {
      deleteQuietly(staging);
    }
  }

  private static void unpack(LayerUnpacker u, Path blob, Descriptor l, Digest diffId)
      throws IOException {
    MessageDigest md = BlobDir.sha256();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(blob), 1 << 16)) {
      InputStream plain =
          switch (l.mediaType()) {
            case OciManifest.LAYER_GZIP -> gunzip(raw, l);
            case OciManifest.LAYER_TAR -> raw;
            default ->
                throw refuse("layer " + l.digest() + ": " + l.mediaType() + " is not supported");
          };
      DigestInputStream hashed = new DigestInputStream(plain, md);
      u.apply(hashed, "layer " + l.digest());
      hashed.transferTo(java.io.OutputStream.nullOutputStream()); // the tar's trailing blocks
    } catch (IOException e) {
      if (e.getCause() instanceof RunnerException r) {
        throw r;
      }
      throw refuse("layer " + l.digest() + ": " + e.getMessage());
    }
    String got = HexFormat.of().formatHex(md.digest());
    if (!got.equals(diffId.hex())) {
      throw refuse(
          "layer "
              + l.digest()
              + ": uncompressed digest sha256:"
              + got
              + " is not its diff_id "
              + diffId);
    }
  }

  private static InputStream gunzip(InputStream raw, Descriptor l) {
    try {
      return GzipCompressorInputStream.builder()
          .setInputStream(raw)
          .setDecompressConcatenated(true)
          .get();
    } catch (IOException e) {
      throw refuse("layer " + l.digest() + ": not gzip: " + e.getMessage());
    }
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null && n.isArray()) {
      n.forEach(x -> out.add(x.asText()));
    }
    return out;
  }

  private static String validName(String ref) {
    return ref != null && NAME.matcher(ref).matches() ? ref : null;
  }

  private void writeRef(String name, Digest d) throws IOException {
    Path tmp = dir.resolve("refs").resolve("." + name + "." + UUID.randomUUID());
    Files.writeString(tmp, d + "\n");
    Files.move(
        tmp,
        dir.resolve("refs").resolve(name),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Returns the names in {@code refs/} and the digests they point at, sorted by name. */
  public Map<String, String> names() {
    Map<String, String> out = new TreeMap<>();
    Path refs = dir.resolve("refs");
    if (!Files.isDirectory(refs)) {
      return out;
    }
    try (var s = Files.list(refs)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (NAME.matcher(n).matches()) {
          out.put(n, Files.readString(p, StandardCharsets.US_ASCII).trim());
        }
      }
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot read " + refs + ": " + e);
    }
    return out;
  }

  /** Returns every stored image, by digest. */
  public List<StoredImage> list() {
    List<StoredImage> out = new ArrayList<>();
    Path roots = dir.resolve("roots");
    if (!Files.isDirectory(roots)) {
      return out;
    }
    try (var s = Files.list(roots)) {
      for (Path p : s.sorted().toList()) {
        out.add(read(new Digest(p.getFileName().toString())));
      }
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot read " + roots + ": " + e);
    }
    return out;
  }

  /**
   * Finds an image by name or {@code sha256:<hex>} digest.
   *
   * @throws RunnerException of kind NOT_FOUND when there is none
   */
  public StoredImage find(String nameOrDigest) {
    Digest d = digestOf(nameOrDigest);
    if (d == null
        || !Files.isRegularFile(dir.resolve("roots").resolve(d.hex()).resolve("image.json"))) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no image " + nameOrDigest + " in " + dir);
    }
    return read(d);
  }

  /** Returns the image's root filesystem on the host. */
  public ImageRef ref(String name, StoredImage image) {
    Digest d = Digest.parse(image.digest());
    return new ImageRef(name, d, dir.resolve("roots").resolve(d.hex()).resolve("rootfs"));
  }

  /** Returns the digest an image name points at, or null when the store has no such name. */
  public Digest named(String name) {
    String d = NAME.matcher(name).matches() ? names().get(name) : null;
    return d == null ? null : Digest.parse(d);
  }

  /**
   * Removes a name, or an image by digest with every name pointing at it; an image is deleted when
   * no name points at it any more.
   *
   * @throws RunnerException of kind NOT_FOUND when there is no such name or image
   */
  public StoredImage remove(String nameOrDigest) {
    StoredImage img = find(nameOrDigest);
    try {
      Map<String, String> names = names();
      boolean byDigest = nameOrDigest.startsWith("sha256:");
      for (Map.Entry<String, String> e : names.entrySet()) {
        if (e.getValue().equals(img.digest()) && (byDigest || e.getKey().equals(nameOrDigest))) {
          Files.deleteIfExists(dir.resolve("refs").resolve(e.getKey()));
        }
      }
      if (!names().containsValue(img.digest())) {
        Path root = dir.resolve("roots").resolve(Digest.parse(img.digest()).hex());
        Path gone = dir.resolve("tmp").resolve("rm-" + UUID.randomUUID());
        Files.createDirectories(gone.getParent());
        Files.move(root, gone, StandardCopyOption.ATOMIC_MOVE);
        deleteQuietly(gone);
      }
      return img;
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot remove " + nameOrDigest + ": " + e);
    }
  }

  private Digest digestOf(String nameOrDigest) {
    if (nameOrDigest.startsWith("sha256:")) {
      return Digest.parse(nameOrDigest);
    }
    return named(nameOrDigest);
  }

  private StoredImage read(Digest d) {
    Path f = dir.resolve("roots").resolve(d.hex()).resolve("image.json");
    try {
      return JSON.readValue(f.toFile(), StoredImage.class);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "cannot read " + f + ": " + e.getMessage());
    }
  }

  static void deleteQuietly(Path p) {
    try {
      LayerUnpacker.removeIfPresent(p);
    } catch (IOException e) {
      // left for the next import's clean-up of tmp/
    }
  }
}
