package io.quackrunner.images;

import static io.quackrunner.images.EntryPath.quote;
import static io.quackrunner.images.EntryPath.refuse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Applies OCI layer tar streams, in order, to one root filesystem directory (image-spec v1.1 "Image
 * Layer Filesystem Changeset", "Applying Changesets" and "Whiteouts").
 *
 * <p>Every member name is relative and free of {@code ..}; no member is written through a symbolic
 * link (a parent that is a link is refused) or through an existing node (it is removed first); a
 * hard link must name a regular file already in the root; symbolic link targets are kept as text
 * and only ever resolved inside the sandbox, whose root this directory becomes. Device nodes and
 * FIFOs are skipped (the sandbox has its own {@code /dev}); setuid, setgid and sticky bits and
 * group or other write bits are cleared; owners are not applied (everything belongs to the
 * importing user); sparse members, duplicate members in one layer and unknown member types are
 * refused; {@code maxBytes} caps the sum of file sizes and {@code maxEntries} the member count.
 */
final class LayerUnpacker {
  private static final String OPAQUE = ".wh..wh..opq";
  private static final String WHITEOUT = ".wh.";

  private final Path root;
  private final long maxBytes;
  private final long maxEntries;
  private long bytes;
  private long entries;
  private long skippedDevices;
  private long clearedModeBits;

  /** The layer being applied: names it created, and directory modes to set when it ends. */
  private Set<String> created = new HashSet<>();

  private Map<Path, Integer> dirModes = new LinkedHashMap<>();

  LayerUnpacker(Path root, long maxBytes, long maxEntries) {
    this.root = root;
    this.maxBytes = maxBytes;
    this.maxEntries = maxEntries;
  }

  long bytes() {
    return bytes;
  }

  long skippedDevices() {
    return skippedDevices;
  }

  long clearedModeBits() {
    return clearedModeBits;
  }

  /**
   * Applies one uncompressed layer tar stream.
   *
   * @throws io.quackrunner.errors.RunnerException of kind VERIFICATION_FAILED for a refused member
   *     or a truncated or malformed archive
   */
  void apply(InputStream tar, String layer) throws IOException {
    created = new HashSet<>();
    dirModes = new LinkedHashMap<>();
    TarArchiveInputStream in = new TarArchiveInputStream(tar);
    TarArchiveEntry e;
    try {
      while ((e = in.getNextEntry()) != null) {
        if (++entries > maxEntries) {
          throw refuse(layer + ": more than " + maxEntries + " members");
        }
        member(in, e, layer);
      }
    } catch (IOException | IllegalArgumentException x) {
      if (x instanceof io.quackrunner.errors.RunnerException) {
        throw x;
      }
      throw refuse(layer + ": malformed or truncated tar: " + x.getMessage());
    }
    for (Map.Entry<Path, Integer> d : dirModes.entrySet()) {
      Files.setPosixFilePermissions(d.getKey(), perms(d.getValue()));
    }
  }

  private void member(TarArchiveInputStream in, TarArchiveEntry e, String layer)
      throws IOException {
    String what = layer + ": " + quote(e.getName());
    List<String> parts = EntryPath.split(e.getName(), layer);
    if (parts.isEmpty()) {
      return; // the root itself ("./"): its mode is the store's
    }
    String rel = String.join("/", parts);
    String last = parts.get(parts.size() - 1);
    Path parent = parentOf(parts, what, true);
    if (last.startsWith(WHITEOUT)) {
      whiteout(parent, parts, last, what);
      return;
    }
    if (!created.add(rel)) {
      throw refuse(what + ": duplicate member in one layer");
    }
    if (e.isSparse()) {
      throw refuse(what + ": sparse member");
    }
    Path target = parent.resolve(last);
    if (e.isDirectory()) {
      if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        removeIfPresent(target);
        Files.createDirectory(target);
      }
      dirModes.put(target, mode(e));
      return;
    }
    if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
      skippedDevices++;
      return;
    }
    removeIfPresent(target);
    if (e.isSymbolicLink()) {
      String to = e.getLinkName();
      if (to == null || to.isEmpty() || to.length() > 4095 || to.indexOf('\0') >= 0) {
        throw refuse(what + ": bad symbolic link target");
      }
      Files.createSymbolicLink(target, Path.of(to));
    } else if (e.isLink()) {
      List<String> src = EntryPath.split(e.getLinkName(), what + " hard link");
      if (src.isEmpty()) {
        throw refuse(what + ": hard link to the root");
      }
      Path source = parentOf(src, what + " hard link", false).resolve(src.get(src.size() - 1));
      if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
        throw refuse(
            what
                + ": hard link to "
                + quote(e.getLinkName())
                + ", not a regular file in the image");
      }
      Files.createLink(target, source);
    } else if (isRegular(e)) {
      long size = e.getSize();
      if (size < 0 || size > maxBytes - bytes) {
        throw refuse(what + ": the image's files exceed " + maxBytes + " bytes");
      }
      bytes += size;
      try (OutputStream out =
          Files.newOutputStream(
              target,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS)) {
        long copied = in.transferTo(out);
        if (copied != size) {
          throw refuse(what + ": truncated member (" + copied + " of " + size + " bytes)");
        }
      }
      Files.setPosixFilePermissions(target, perms(mode(e)));
    } else {
      throw refuse(what + ": unsupported member type '" + (char) e.getLinkFlag() + "'");
    }
  }

  /** Applies a whiteout: removes a lower layer's node, or (opaque) every lower child. */
  private void whiteout(Path parent, List<String> parts, String last, String what)
      throws IOException {
    String dirRel = String.join("/", parts.subList(0, parts.size() - 1));
    String prefix = dirRel.isEmpty() ? "" : dirRel + "/";
    if (last.equals(OPAQUE)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(parent)) {
        for (Path child : s) {
          if (!created.contains(prefix + child.getFileName())) {
            removeIfPresent(child);
          }
        }
      }
      return;
    }
    String name = last.substring(WHITEOUT.length());
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.startsWith(WHITEOUT)) {
      throw refuse(what + ": bad whiteout");
    }
    if (!created.contains(prefix + name)) {
      removeIfPresent(parent.resolve(name));
    }
  }

  /**
   * Returns the directory holding {@code parts}' last component, walking from the root without
   * following any link; missing directories are created when {@code create}.
   */
  private Path parentOf(List<String> parts, String what, boolean create) throws IOException {
    Path p = root;
    for (int i = 0; i < parts.size() - 1; i++) {
      p = p.resolve(parts.get(i));
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException x) {
        if (!create) {
          throw refuse(what + ": names a path that does not exist");
        }
        Files.createDirectory(p);
        created.add(String.join("/", parts.subList(0, i + 1)));
        continue;
      }
      if (a.isSymbolicLink()) {
        throw refuse(what + ": path goes through the symbolic link " + quote(rel(p)));
      }
      if (!a.isDirectory()) {
        throw refuse(what + ": path goes through the non-directory " + quote(rel(p)));
      }
    }
    return p;
  }

  private String rel(Path p) {
    return root.relativize(p).toString();
  }

  /** Deletes a node and, for a directory, its tree, never following a link. */
  static void removeIfPresent(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(p);
      return;
    }
    Files.walkFileTree(
        p,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
              throws IOException {
            // A directory left read-only must still be emptied.
            Files.setPosixFilePermissions(d, perms(0700));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            Files.delete(f);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException x) throws IOException {
            if (x != null) {
              throw x;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * Returns whether a member is a regular file by its type flag alone ({@code
   * TarArchiveEntry.isFile} also says true for other types).
   */
  static boolean isRegular(TarArchiveEntry e) {
    byte f = e.getLinkFlag();
    return f == TarConstants.LF_NORMAL
        || f == TarConstants.LF_OLDNORM
        || f == TarConstants.LF_CONTIG;
  }

  private int mode(TarArchiveEntry e) {
    int m = e.getMode();
    int kept = m & 0755;
    if ((m & 07777) != kept) {
      clearedModeBits++;
    }
    return kept;
  }

  static Set<PosixFilePermission> perms(int mode) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < order.length; i++) {
      if ((mode & (1 << i)) != 0) {
        s.add(order[i]);
      }
    }
    return s;
  }
}
