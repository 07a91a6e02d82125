package io.quackrunner.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * Writes a one-layer OCI image layout (image-spec v1.1) from a root filesystem tarball, so that the
 * same input gives the same bytes: members sorted by name (hard links last), every mtime the
 * recipe's {@code SOURCE_DATE_EPOCH}, owners 0:0 without names, device nodes and FIFOs dropped (the
 * sandbox has its own {@code /dev}), an uncompressed layer (no compressor version in the digest),
 * and JSON written in a fixed member order.
 */
public final class LayoutWriter {
  private LayoutWriter() {}

  /**
   * A file added to the layer, replacing any member of that name.
   *
   * @param name the path in the root filesystem, relative, e.g. {@code usr/bin/node}
   * @param content the file holding its bytes
   * @param mode its permission bits
   */
  public record Extra(String name, Path content, int mode) {}

  /**
   * The written layout.
   *
   * @param manifest the manifest's digest, the image's identity
   * @param layerBytes the layer's size in bytes
   */
  public record Written(Digest manifest, long layerBytes) {}

  /**
   * Writes {@code layout/} (oci-layout, index.json, blobs/sha256/*).
   *
   * @param rootfsTar the root filesystem as a tar (mmdebstrap's {@code --format=tar})
   * @param extras files to add
   * @param epoch SOURCE_DATE_EPOCH in seconds
   * @param pathEnv the config's PATH
   * @param refName the index's ref name, e.g. {@code python-3.11}
   * @param annotations the manifest's annotations (sorted on output)
   * @param layout an empty or absent directory
   * @throws IOException on a read or write error
   */
  public static Written write(
      Path rootfsTar,
      List<Extra> extras,
      long epoch,
      String pathEnv,
      String refName,
      Map<String, String> annotations,
      Path layout)
      throws IOException {
    Path blobs = layout.resolve("blobs").resolve("sha256");
    Files.createDirectories(blobs);
    Path tmp = Files.createTempFile(layout, "layer", ".tar");
    Digest layer;
    try (TarFile in = new TarFile(rootfsTar.toFile())) {
      layer = writeLayer(in, extras, epoch, tmp);
    }
    long layerSize = Files.size(tmp);
    Files.move(tmp, blobs.resolve(layer.hex()), StandardCopyOption.REPLACE_EXISTING);
    String created = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epoch));
    ObjectMapper om = new ObjectMapper();
    ObjectNode config = om.createObjectNode();
    config.put("created", created).put("architecture", "amd64").put("os", "linux");
    config.putObject("config").putArray("Env").add("PATH=" + pathEnv);
    ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
    rootfs.putArray("diff_ids").add(layer.toString());
    byte[] cfg = om.writeValueAsBytes(config);
    Digest cfgDigest = blob(blobs, cfg);
    ObjectNode m = om.createObjectNode();
    m.put("schemaVersion", 2).put("mediaType", OciManifest.MANIFEST);
    descriptor(m.putObject("config"), OciManifest.CONFIG, cfgDigest, cfg.length);
    descriptor(m.putArray("layers").addObject(), OciManifest.LAYER_TAR, layer, layerSize);
    ObjectNode ann = m.putObject("annotations");
    new TreeMap<>(annotations).forEach(ann::put);
    byte[] manifest = om.writeValueAsBytes(m);
    Digest md = blob(blobs, manifest);
    ObjectNode index = om.createObjectNode();
    index.put("schemaVersion", 2).put("mediaType", OciManifest.INDEX);
    ObjectNode entry = index.putArray("manifests").addObject();
    descriptor(entry, OciManifest.MANIFEST, md, manifest.length);
    entry.putObject("platform").put("architecture", "amd64").put("os", "linux");
    entry.putObject("annotations").put(OciManifest.REF_NAME, refName);
    Files.write(layout.resolve("index.json"), om.writeValueAsBytes(index));
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    return new Written(md, layerSize);
  }

  private static void descriptor(ObjectNode n, String mediaType, Digest d, long size) {
    n.put("mediaType", mediaType).put("digest", d.toString()).put("size", size);
  }

  private static Digest blob(Path blobs, byte[] b) throws IOException {
    Digest d = new Digest(Recipe.sha256(b));
    Files.write(blobs.resolve(d.hex()), b);
    return d;
  }

  /** A member to write: from the source tarball, or an extra file. */
  private record Member(String name, TarArchiveEntry source, Extra extra) {}

  private static Digest writeLayer(TarFile in, List<Extra> extras, long epoch, Path out)
      throws IOException {
    Map<String, Member> byName = new TreeMap<>();
    List<Member> hardLinks = new ArrayList<>();
    for (TarArchiveEntry e : in.getEntries()) {
      String name = normalize(e.getName());
      if (name.isEmpty() || e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
        continue;
      }
      Member m = new Member(name, e, null);
      if (e.isLink()) {
        hardLinks.add(m);
      } else {
        byName.put(name, m);
      }
    }
    for (Extra x : extras) {
      byName.put(normalize(x.name()), new Member(normalize(x.name()), null, x));
    }
    hardLinks.sort(Comparator.comparing(Member::name));
    MessageDigest sha = sha256();
    try (OutputStream f = Files.newOutputStream(out);
        DigestOutputStream d = new DigestOutputStream(f, sha);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(d, 1 << 16)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      List<Member> all = new ArrayList<>(byName.values());
      all.addAll(hardLinks);
      for (Member m : all) {
        writeMember(tar, in, m, epoch);
      }
      tar.finish();
    }
    return new Digest(HexFormat.of().formatHex(sha.digest()));
  }

  private static void writeMember(TarArchiveOutputStream tar, TarFile in, Member m, long epoch)
      throws IOException {
    TarArchiveEntry e = m.source();
    TarArchiveEntry x;
    int mode;
    if (m.extra() != null) {
      x = new TarArchiveEntry(m.name());
      x.setSize(Files.size(m.extra().content()));
      mode = m.extra().mode();
    } else if (e.isDirectory()) {
      x = new TarArchiveEntry(m.name() + "/", TarConstants.LF_DIR);
      mode = e.getMode();
    } else if (e.isSymbolicLink() || e.isLink()) {
      x =
          new TarArchiveEntry(
              m.name(), e.isLink() ? TarConstants.LF_LINK : TarConstants.LF_SYMLINK);
      x.setLinkName(e.isLink() ? normalize(e.getLinkName()) : e.getLinkName());
      mode = e.getMode();
    } else if (e.isFile()) {
      x = new TarArchiveEntry(m.name());
      x.setSize(e.getSize());
      mode = e.getMode();
    } else {
      throw new IOException("unsupported member type in the root filesystem: " + e.getName());
    }
    x.setMode((x.getMode() & ~07777) | (mode & 07777));
    x.setModTime(epoch * 1000);
    x.setUserId(0);
    x.setGroupId(0);
    x.setUserName("");
    x.setGroupName("");
    tar.putArchiveEntry(x);
    if (x.isFile() && x.getSize() > 0) {
      try (InputStream s =
          m.extra() != null ? Files.newInputStream(m.extra().content()) : in.getInputStream(e)) {
        s.transferTo(tar);
      }
    }
    tar.closeArchiveEntry();
  }

  /** {@code ./usr/bin/} and {@code usr/bin} both become {@code usr/bin}. */
  static String normalize(String name) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    while (n.startsWith("/")) {
      n = n.substring(1);
    }
    while (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    return n.equals(".") ? "" : n;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
