package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * The runner's signing key and the public keys it retired, so old receipts still verify.
 *
 * <p>Layout under a state directory: {@code keys/active.key} (the signed-note private key text,
 * mode 0600, generated on first use) and {@code keys/retired/<hex public key>.pub} (verifier key
 * text of each retired key). Retired private keys are not kept.
 */
public final class KeyRing {
  private final Path keysDir;
  private volatile SigningKey active;
  private final List<VerifierKey> retired;

  private KeyRing(Path keysDir, SigningKey active, List<VerifierKey> retired) {
    this.keysDir = keysDir;
    this.active = active;
    this.retired = new ArrayList<>(retired);
  }

  /**
   * Opens the key ring in {@code stateDir/keys}, generating a key named {@code name} on first use.
   *
   * @throws RunnerException CONFIGURATION if a key file is malformed, a link, or wider than 0600
   */
  public static KeyRing open(Path stateDir, String name) {
    VerifierKey.requireName(name);
    Path keysDir = stateDir.resolve("keys");
    Path activeFile = keysDir.resolve("active.key");
    try {
      KeyFiles.createDirectory(keysDir.resolve("retired"));
      if (!Files.exists(activeFile)) {
        KeyFiles.createNew(activeFile, SigningKey.generate(name).privateKeyText() + "\n");
      }
      SigningKey active = SigningKey.parse(KeyFiles.readSecret(activeFile));
      return new KeyRing(keysDir, active, readRetired(keysDir.resolve("retired"), active));
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot open key ring in " + keysDir, e);
    }
  }

  /**
   * Loads a key ring from a configured private key file and the given retired public keys; such a
   * ring cannot {@link #rotate()}.
   *
   * @throws RunnerException CONFIGURATION if the file is malformed, a link, or wider than 0600
   */
  public static KeyRing load(Path keyFile, Collection<VerifierKey> retired) {
    try {
      return new KeyRing(
          null, SigningKey.parse(KeyFiles.readSecret(keyFile)), List.copyOf(retired));
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot read key file " + keyFile, e);
    }
  }

  /** Returns the key that signs new receipts and checkpoints. */
  public SigningKey active() {
    return active;
  }

  /** Returns the public keys of retired keys, oldest first. */
  public synchronized List<VerifierKey> retired() {
    return List.copyOf(retired);
  }

  /** Returns every key a verifier should accept: the active key first, then retired ones. */
  public synchronized List<VerifierKey> verifierKeys() {
    List<VerifierKey> all = new ArrayList<>();
    all.add(active.verifierKey());
    all.addAll(retired);
    return List.copyOf(all);
  }

  /**
   * Returns when a retired key was retired: the modification time of its {@code
   * keys/retired/<hex>.pub} file, or empty for the active key, a ring loaded from a configured
   * file, or an unreadable time.
   */
  public synchronized java.util.Optional<java.time.Instant> retiredAt(VerifierKey key) {
    if (keysDir == null || !retired.contains(key)) {
      return java.util.Optional.empty();
    }
    Path f = keysDir.resolve("retired").resolve(HexFormat.of().formatHex(key.publicKey()) + ".pub");
    try {
      return java.util.Optional.of(Files.getLastModifiedTime(f).toInstant());
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }

  /**
   * Makes a new active key under the same name and retires the old one's public key.
   *
   * <p>The retired public key is written durably before the active key is replaced, so a crash
   * between the two steps loses nothing.
   *
   * @throws RunnerException CONFIGURATION if this ring was loaded from a configured file or the
   *     files cannot be written
   */
  public synchronized SigningKey rotate() {
    if (keysDir == null) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "a key ring loaded from a configured file cannot rotate");
    }
    SigningKey next = SigningKey.generate(active.name());
    Path activeFile = keysDir.resolve("active.key");
    // Rotations of one state directory are serialized across processes (an fcntl lock on
    // keys/rotate.lock, released by the kernel if the holder dies), and the key retired is the
    // one on disk, read under the lock: two concurrent rotations then retire K0 and K1 in turn
    // instead of both retiring K0 and losing K1, whose receipts would no longer verify.
    try (FileChannel lockFile =
            FileChannel.open(
                keysDir.resolve("rotate.lock"),
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(KeyFiles.OWNER_ONLY));
        FileLock lock = lockFile.lock()) {
      SigningKey onDisk = SigningKey.parse(KeyFiles.readSecret(activeFile));
      LinkedHashSet<VerifierKey> retiring = new LinkedHashSet<>();
      retiring.add(active.verifierKey()); // already retired when another process rotated it
      retiring.add(onDisk.verifierKey());
      for (VerifierKey old : retiring) {
        Path retiredFile =
            keysDir.resolve("retired").resolve(HexFormat.of().formatHex(old.publicKey()) + ".pub");
        KeyFiles.createNew(retiredFile, old.text() + "\n");
      }
      KeyFiles.replace(activeFile, next.privateKeyText() + "\n");
      for (VerifierKey old : retiring) {
        if (!retired.contains(old)) {
          retired.add(old);
        }
      }
      active = next;
      return next;
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot rotate key in " + keysDir, e);
    }
  }

  private static List<VerifierKey> readRetired(Path dir, SigningKey active) throws IOException {
    LinkedHashSet<VerifierKey> keys = new LinkedHashSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files.filter(p -> p.toString().endsWith(".pub")).sorted(KeyRing::byAge).toList()) {
        keys.add(VerifierKey.parse(KeyFiles.read(f)));
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    // A crash between writing the retired file and replacing active.key leaves the key in both.
    keys.remove(active.verifierKey());
    return List.copyOf(keys);
  }

  private static int byAge(Path a, Path b) {
    try {
      return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
