package io.quackrunner.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Writes OCI image layouts with crafted layer tars for the unpacker's tests. */
public final class OciBuilder {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One tar being written, member by member, with names kept exactly as given. */
  public static final class Tar {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

    Tar() {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    public Tar file(String name, String content) {
      return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public Tar file(String name, byte[] content, int mode) {
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      e.setSize(content.length);
      e.setMode(0100000 | mode);
      return put(e, content);
    }

    public Tar dir(String name, int mode) {
      TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
      e.setMode(040000 | mode);
      return put(e, null);
    }

    public Tar symlink(String name, String target) {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
      e.setLinkName(target);
      return put(e, null);
    }

    public Tar hardlink(String name, String target) {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
      e.setLinkName(target);
      return put(e, null);
    }

    public Tar special(String name, byte type) {
      TarArchiveEntry e = new TarArchiveEntry(name, type, true);
      e.setDevMajor(1);
      e.setDevMinor(3);
      e.setMode(0666);
      return put(e, null);
    }

    private Tar put(TarArchiveEntry e, byte[] content) {
      try {
        out.putArchiveEntry(e);
        if (content != null) {
          out.write(content);
        }
        out.closeArchiveEntry();
      } catch (IOException x) {
        throw new IllegalStateException(x);
      }
      return this;
    }

    public byte[] bytes() {
      try {
        out.finish();
        out.close();
      } catch (IOException x) {
        throw new IllegalStateException(x);
      }
      return bytes.toByteArray();
    }
  }

  public static Tar tar() {
    return new Tar();
  }

  public static Tar tar(Consumer<Tar> fill) {
    Tar t = new Tar();
    fill.accept(t);
    return t;
  }

  public static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (OutputStream g = new GzipCompressorOutputStream(o)) {
      g.write(b);
    }
    return o.toByteArray();
  }

  public static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** The written layout and the digests in it. */
  public record Layout(Path dir, String manifest, List<String> layers) {
    Path blob(String hex) {
      return dir.resolve("blobs/sha256").resolve(hex);
    }
  }

  /** Writes a layout of gzip layers made from the given uncompressed tars, base first. */
  public static Layout layout(Path dir, byte[]... tars) throws Exception {
    Files.createDirectories(dir.resolve("blobs/sha256"));
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    ArrayNode layers = JSON.createArrayNode();
    ArrayNode diffIds = JSON.createArrayNode();
    List<String> hexes = new ArrayList<>();
    for (byte[] t : tars) {
      byte[] gz = gzip(t);
      String hex = blob(dir, gz);
      hexes.add(hex);
      layers.add(desc("application/vnd.oci.image.layer.v1.tar+gzip", hex, gz.length));
      diffIds.add("sha256:" + sha(t));
    }
    ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
    config.putObject("config").putArray("Env").add("PATH=/usr/bin:/bin");
    config.putObject("rootfs").put("type", "layers").set("diff_ids", diffIds);
    byte[] cfg = JSON.writeValueAsBytes(config);
    String cfgHex = blob(dir, cfg);
    ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2);
    manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    manifest.set("config", desc("application/vnd.oci.image.config.v1+json", cfgHex, cfg.length));
    manifest.set("layers", layers);
    byte[] m = JSON.writeValueAsBytes(manifest);
    String mHex = blob(dir, m);
    ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
    ObjectNode md = desc("application/vnd.oci.image.manifest.v1+json", mHex, m.length);
    md.putObject("annotations").put("org.opencontainers.image.ref.name", "test");
    index.putArray("manifests").add(md);
    Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
    return new Layout(dir, "sha256:" + mHex, hexes);
  }

  private static String blob(Path dir, byte[] b) throws Exception {
    String hex = sha(b);
    Files.write(dir.resolve("blobs/sha256").resolve(hex), b);
    return hex;
  }

  private static ObjectNode desc(String mt, String hex, long size) {
    return JSON.createObjectNode()
        .put("mediaType", mt)
        .put("digest", "sha256:" + hex)
        .put("size", size);
  }

  /** Tars a layout directory into an OCI archive, members named relative to it. */
  public static byte[] archive(Path layout) throws Exception {
    Tar t = new Tar();
    try (var s = Files.walk(layout)) {
      for (Path p : s.sorted().toList()) {
        String rel = layout.relativize(p).toString();
        if (rel.isEmpty()) {
          continue;
        }
        if (Files.isDirectory(p)) {
          t.dir(rel, 0755);
        } else {
          t.file(rel, Files.readAllBytes(p), 0644);
        }
      }
    }
    return t.bytes();
  }
}
