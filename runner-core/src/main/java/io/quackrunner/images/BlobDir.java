package io.quackrunner.images;

import static io.quackrunner.images.EntryPath.refuse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A private directory of blobs whose content has been checked against their SHA-256 names ({@code
 * <dir>/<hex>}), filled from an image layout directory or an OCI archive (a tar of one, image-spec
 * v1.1 "Image Layout").
 */
final class BlobDir {
  /** Largest JSON blob (index, manifest, config) read into memory, in bytes. */
  static final int MAX_JSON_BYTES = 4 << 20;

  private final Path dir;
  private final Path source;

  private BlobDir(Path dir, Path source) {
    this.dir = dir;
    this.source = source;
  }

  /** Returns a blob directory that copies blobs from the layout directory {@code layout}. */
  static BlobDir fromLayout(Path layout, Path dir) throws IOException {
    Files.createDirectories(dir);
    return new BlobDir(dir, layout);
  }

  /**
   * Extracts an OCI archive's {@code oci-layout}, {@code index.json} and {@code blobs/sha256/*}
   * (other regular files are ignored; links, devices, absolute or {@code ..} names, duplicates and
   * a blob whose content is not its name are refused).
   *
   * @param maxBytes cap on the archive's extracted bytes
   */
  static BlobDir fromArchive(InputStream archive, Path dir, long maxBytes) throws IOException {
    Files.createDirectories(dir);
    Path top = dir.resolve("layout");
    Files.createDirectories(top);
    long total = 0;
    java.util.Set<String> seen = new java.util.HashSet<>();
    try {
      TarArchiveInputStream in = new TarArchiveInputStream(archive);
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        List<String> parts = EntryPath.split(e.getName(), "archive");
        String rel = String.join("/", parts);
        if (e.isDirectory()) {
          continue;
        }
        if (!LayerUnpacker.isRegular(e) || e.isSparse()) {
          throw refuse("archive: " + EntryPath.quote(e.getName()) + " is not a regular file");
        }
        if (!seen.add(rel)) {
          throw refuse("archive: duplicate member " + EntryPath.quote(e.getName()));
        }
        if (e.getSize() > maxBytes - total) {
          throw refuse("archive: larger than " + maxBytes + " bytes");
        }
        total += e.getSize();
        if (parts.size() == 3 && parts.get(0).equals("blobs") && parts.get(1).equals("sha256")) {
          Digest d = new Digest(parts.get(2));
          Path tmp = dir.resolve(d.hex() + ".part");
          String got = copyHashing(in, tmp, e.getSize());
          if (!got.equals(d.hex())) {
            throw refuse("archive: blob " + d + " holds content with digest sha256:" + got);
          }
          Files.move(tmp, dir.resolve(d.hex()), StandardCopyOption.REPLACE_EXISTING);
        } else if (rel.equals("index.json") || rel.equals("oci-layout")) {
          if (e.getSize() > MAX_JSON_BYTES) {
            throw refuse("archive: " + rel + " is larger than " + MAX_JSON_BYTES + " bytes");
          }
          copyHashing(in, top.resolve(rel), e.getSize());
        }
      }
    } catch (IOException | IllegalArgumentException x) {
      if (x instanceof io.quackrunner.errors.RunnerException) {
        throw x;
      }
      throw refuse("archive: malformed or truncated tar: " + x.getMessage());
    }
    return new BlobDir(dir, top);
  }

  /** Reads {@code index.json} or {@code oci-layout} at the layout's top. */
  byte[] topFile(String name) throws IOException {
    Path p = source.resolve(name);
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      throw refuse("not an OCI image layout: " + name + " missing");
    }
    if (Files.size(p) > MAX_JSON_BYTES) {
      throw refuse(name + " is larger than " + MAX_JSON_BYTES + " bytes");
    }
    return Files.readAllBytes(p);
  }

  /**
   * Returns the verified blob of a descriptor: its size and SHA-256 are the descriptor's.
   *
   * @throws io.quackrunner.errors.RunnerException of kind VERIFICATION_FAILED otherwise
   */
  Path verified(Descriptor d) throws IOException {
    Path mine = dir.resolve(d.digest().hex());
    if (!Files.isRegularFile(mine, LinkOption.NOFOLLOW_LINKS)) {
      Path theirs = source.resolve("blobs/sha256").resolve(d.digest().hex());
      if (!Files.isRegularFile(theirs, LinkOption.NOFOLLOW_LINKS)
          || Files.isSymbolicLink(source.resolve("blobs"))
          || Files.isSymbolicLink(source.resolve("blobs/sha256"))) {
        throw refuse("blob " + d.digest() + " (" + d.mediaType() + ") is missing");
      }
      Path tmp = dir.resolve(d.digest().hex() + ".part");
      String got;
      try (InputStream in = Files.newInputStream(theirs, LinkOption.NOFOLLOW_LINKS)) {
        got = copyHashing(in, tmp, d.size());
      }
      if (!got.equals(d.digest().hex())) {
        throw refuse("blob " + d.digest() + " holds content with digest sha256:" + got);
      }
      Files.move(tmp, mine);
    }
    long size = Files.size(mine);
    if (size != d.size()) {
      throw refuse(
          "blob " + d.digest() + " is " + size + " bytes, its descriptor says " + d.size());
    }
    return mine;
  }

  /** Reads a verified JSON blob. */
  byte[] json(Descriptor d) throws IOException {
    if (d.size() > MAX_JSON_BYTES) {
      throw refuse("blob " + d.digest() + " is larger than " + MAX_JSON_BYTES + " bytes");
    }
    return Files.readAllBytes(verified(d));
  }

  /**
   * Copies at most {@code limit + 1} bytes of {@code in} to a new file and returns their SHA-256
   * hex; a source longer than {@code limit} fails later on the size check.
   */
  private static String copyHashing(InputStream in, Path to, long limit) throws IOException {
    MessageDigest md = sha256();
    try (OutputStream out =
        Files.newOutputStream(
            to,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      DigestInputStream din = new DigestInputStream(in, md);
      byte[] buf = new byte[1 << 16];
      long left = limit + 1;
      int n;
      while (left > 0 && (n = din.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
        out.write(buf, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
