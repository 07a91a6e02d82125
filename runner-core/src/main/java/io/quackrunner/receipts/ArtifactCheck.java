package io.quackrunner.receipts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks artifact files against a receipt without following links anywhere on the path.
 *
 * <p>Every directory on the way must be a real directory, the file a regular file, and it is opened
 * with {@link LinkOption#NOFOLLOW_LINKS} (O_NOFOLLOW), so a link swapped in after the check is
 * refused too (DESIGN invariant 5).
 */
final class ArtifactCheck {
  private ArtifactCheck() {}

  /** Returns null if the artifact matches, else a one-line reason. */
  static String check(Path dir, ReceiptPredicate.Artifact artifact) {
    Path file = dir;
    String[] parts = artifact.artifactId().split("/");
    try {
      for (int i = 0; i < parts.length; i++) {
        file = file.resolve(parts[i]);
        BasicFileAttributes attrs =
            Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        boolean last = i == parts.length - 1;
        if (attrs.isSymbolicLink()) {
          return artifact.artifactId()
              + ": "
              + (last ? "" : "a directory on its path ")
              + "is a symbolic link";
        }
        if (last ? !attrs.isRegularFile() : !attrs.isDirectory()) {
          return artifact.artifactId()
              + ": "
              + (last ? "not a regular file" : parts[i] + " is not a directory");
        }
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long size = 0;
      try (SeekableByteChannel in =
          Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        int n;
        while ((n = in.read(buffer)) > 0) {
          size += n;
          buffer.flip();
          sha.update(buffer);
          buffer.clear();
        }
      }
      String hex = HexFormat.of().formatHex(sha.digest());
      if (size != artifact.size()) {
        return artifact.artifactId() + ": size " + size + " bytes, receipt says " + artifact.size();
      }
      if (!hex.equals(artifact.sha256())) {
        return artifact.artifactId() + ": sha256 " + hex + ", receipt says " + artifact.sha256();
      }
      return null;
    } catch (NoSuchFileException e) {
      return artifact.artifactId() + ": missing";
    } catch (IOException e) {
      return artifact.artifactId() + ": unreadable (" + e.getMessage() + ")";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
