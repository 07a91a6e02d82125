package io.quackrunner.images;

import static io.quackrunner.images.OciBuilder.layout;
import static io.quackrunner.images.OciBuilder.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports crafted image layouts and archives: each hostile case refused or neutralized. */
class ImageStoreTest {
  @TempDir Path tmp;
  Path state;
  Path outside;
  ImageStore store;

  @BeforeEach
  void setUp() throws Exception {
    state = Files.createDirectories(tmp.resolve("state"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    store = ImageStore.open(state);
  }

  private StoredImage importLayers(byte[]... tars) throws Exception {
    OciBuilder.Layout l = layout(tmp.resolve("layout-" + System.nanoTime()), tars);
    return store.importFrom(l.dir(), "t", null);
  }

  private Path rootfs(StoredImage i) {
    return store.ref("t", i).rootfs();
  }

  private void assertRefused(String message, byte[]... tars) {
    assertThatThrownBy(() -> importLayers(tars))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining(message)
        .satisfies(
            e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.VERIFICATION_FAILED));
    assertThat(store.list()).isEmpty();
    assertThat(store.names()).isEmpty();
    assertThat(state.resolve("images/tmp").toFile().list()).isEmpty();
  }

  @Test
  void importsLayersInOrderAndNamesTheManifestDigest() throws Exception {
    OciBuilder.Layout l =
        layout(
            tmp.resolve("layout"),
            tar()
                .dir("usr", 0755)
                .dir("usr/bin", 0755)
                .file("usr/bin/hello", "v1")
                .file("etc/keep", "k")
                .bytes(),
            tar().file("usr/bin/hello", "v2").bytes());
    StoredImage i = store.importFrom(l.dir(), "hello", null);
    assertThat(i.digest()).isEqualTo(l.manifest());
    assertThat(i.layers()).hasSize(2);
    Path root = store.ref("hello", i).rootfs();
    assertThat(Files.readString(root.resolve("usr/bin/hello"))).isEqualTo("v2");
    assertThat(root.resolve("etc/keep")).hasContent("k");
    assertThat(store.names()).containsEntry("hello", l.manifest());
    assertThat(store.find("hello").digest()).isEqualTo(l.manifest());
    assertThat(store.find(l.manifest()).configDigest()).startsWith("sha256:");
    // Importing the same image again is idempotent and can add a name.
    store.importFrom(l.dir(), "hello2", null);
    assertThat(store.list()).hasSize(1);
    store.remove("hello");
    assertThat(store.find("hello2").digest()).isEqualTo(l.manifest());
    store.remove("hello2");
    assertThat(store.list()).isEmpty();
    assertThatThrownBy(() -> store.find("hello"))
        .satisfies(e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void importsAnOciArchive() throws Exception {
    OciBuilder.Layout l = layout(tmp.resolve("layout"), tar().file("a", "1").bytes());
    Path archive = tmp.resolve("image.tar");
    Files.write(archive, OciBuilder.archive(l.dir()));
    StoredImage i = store.importFrom(archive, null, null);
    assertThat(i.digest()).isEqualTo(l.manifest());
    assertThat(store.names()).containsEntry("test", l.manifest()); // the layout's ref name
  }

  @Test
  void refusesPathTraversal() {
    assertRefused("'..'", tar().file("../escaped", "x").bytes());
    assertRefused("'..'", tar().file("a/../../escaped", "x").bytes());
    assertThat(tmp.resolve("escaped")).doesNotExist();
    assertThat(state.resolve("images/escaped")).doesNotExist();
  }

  @Test
  void refusesAbsolutePaths() {
    assertRefused(
        "absolute", tar().file("/" + outside.resolve("abs").toString().substring(1), "x").bytes());
    assertThat(outside.resolve("abs")).doesNotExist();
  }

  @Test
  void refusesWritingThroughASymlinkPointingOutside() {
    assertRefused(
        "symbolic link", tar().symlink("link", outside.toString()).file("link/pwned", "x").bytes());
    assertRefused(
        "symbolic link", tar().symlink("up", "../../../..").file("up/pwned", "x").bytes());
    // The link in a lower layer, the write in the upper one.
    assertRefused(
        "symbolic link",
        tar().symlink("link", outside.toString()).bytes(),
        tar().file("link/pwned", "x").bytes());
    assertThat(outside.resolve("pwned")).doesNotExist();
  }

  @Test
  void keepsSymlinksAsTextForTheSandboxAndReplacesThemWhenOverwritten() throws Exception {
    Files.writeString(outside.resolve("victim"), "safe");
    StoredImage i =
        importLayers(
            tar()
                .symlink("etc-link", "/etc/passwd")
                .symlink("victim", outside.resolve("victim").toString())
                .bytes(),
            tar().file("victim", "upper").bytes());
    Path root = rootfs(i);
    assertThat(Files.readSymbolicLink(root.resolve("etc-link")).toString())
        .isEqualTo("/etc/passwd");
    assertThat(Files.isSymbolicLink(root.resolve("victim"))).isFalse();
    assertThat(root.resolve("victim")).hasContent("upper");
    assertThat(outside.resolve("victim")).hasContent("safe");
  }

  @Test
  void refusesHardLinksOutsideTheRoot() throws Exception {
    assertRefused("'..'", tar().hardlink("hl", "../../outside/x").bytes());
    assertRefused("absolute", tar().hardlink("hl", "/etc/passwd").bytes());
    assertRefused("symbolic link", tar().symlink("s", "/etc").hardlink("hl", "s/passwd").bytes());
    assertRefused(
        "not a regular file", tar().symlink("s", "/etc/passwd").hardlink("hl", "s").bytes());
    assertRefused("does not exist", tar().hardlink("hl", "nope/x").bytes());
    StoredImage ok = importLayers(tar().file("a", "1").hardlink("b", "a").bytes());
    assertThat(rootfs(ok).resolve("b")).hasContent("1");
  }

  @Test
  void skipsDeviceNodesAndFifos() throws Exception {
    StoredImage i =
        importLayers(
            tar()
                .special("dev/sda", TarConstants.LF_BLK)
                .special("nulldev", TarConstants.LF_CHR)
                .special("fifo", TarConstants.LF_FIFO)
                .file("a", "1")
                .bytes());
    assertThat(rootfs(i).resolve("nulldev")).doesNotExist();
    assertThat(rootfs(i).resolve("fifo")).doesNotExist();
    assertThat(rootfs(i).resolve("dev/sda")).doesNotExist();
    assertThat(i.skippedDevices()).isEqualTo(3);
  }

  @Test
  void clearsSetuidSetgidStickyAndWriteBitsForOthers() throws Exception {
    StoredImage i =
        importLayers(
            tar()
                .file("suid", new byte[] {1}, 04755)
                .file("sgid", new byte[] {1}, 02755)
                .file("open", new byte[] {1}, 0777)
                .dir("sticky", 01777)
                .bytes());
    Path r = rootfs(i);
    for (String f : new String[] {"suid", "sgid", "open", "sticky"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(r.resolve(f))))
          .as(f)
          .isEqualTo("rwxr-xr-x");
    }
    assertThat(i.clearedModeBits()).isEqualTo(4);
  }

  @Test
  void appliesWhiteoutsAndOpaqueDirectories() throws Exception {
    StoredImage i =
        importLayers(
            tar()
                .file("keep", "k")
                .file("gone", "g")
                .file("d/old1", "1")
                .file("d/old2", "2")
                .dir("gonedir", 0755)
                .file("gonedir/x", "x")
                .bytes(),
            tar()
                .file(".wh.gone", "")
                .file(".wh.gonedir", "")
                .file("d/new", "n")
                .file("d/.wh..wh..opq", "")
                .bytes());
    Path r = rootfs(i);
    assertThat(r.resolve("keep")).exists();
    assertThat(r.resolve("gone")).doesNotExist();
    assertThat(r.resolve("gonedir")).doesNotExist();
    assertThat(r.resolve("d/old1")).doesNotExist();
    assertThat(r.resolve("d/old2")).doesNotExist();
    assertThat(r.resolve("d/new")).hasContent("n"); // the opaque layer's own entries stay
    assertThat(r.resolve(".wh.gone")).doesNotExist();
    assertThat(r.resolve("d/.wh..wh..opq")).doesNotExist();
  }

  @Test
  void refusesWhiteoutsThatEscape() throws Exception {
    assertRefused("bad whiteout", tar().file(".wh..", "").bytes());
    Files.writeString(outside.resolve("victim"), "safe");
    assertRefused(
        "symbolic link",
        tar().symlink("out", outside.toString()).bytes(),
        tar().file("out/.wh.victim", "").bytes());
    assertThat(outside.resolve("victim")).hasContent("safe");
  }

  @Test
  void refusesImagesOverTheByteCap() {
    store = store.withLimits(1000, 100);
    assertRefused("exceed 1000 bytes", tar().file("big", new byte[2000], 0644).bytes());
    assertRefused(
        "exceed 1000 bytes",
        tar().file("a", new byte[600], 0644).bytes(),
        tar().file("b", new byte[600], 0644).bytes());
    assertRefused(
        "more than 100 members",
        tar(t -> {
              for (int n = 0; n < 101; n++) {
                t.file("f" + n, "x");
              }
            })
            .bytes());
  }

  @Test
  void refusesSparseMembers() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("sparse-src"));
    try (var f = new java.io.RandomAccessFile(src.resolve("holes").toFile(), "rw")) {
      f.setLength(1L << 30); // 1 GiB of holes that a dense write would fill
      f.write(1);
    }
    Path tarFile = tmp.resolve("sparse.tar");
    Process p =
        new ProcessBuilder(
                "tar",
                "--sparse",
                "--format=posix",
                "-cf",
                tarFile.toString(),
                "-C",
                src.toString(),
                "holes")
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor()).isZero();
    assertThat(Files.size(tarFile)).isLessThan(1 << 20);
    assertRefused("sparse", Files.readAllBytes(tarFile));
  }

  @Test
  void refusesDuplicateMembersInOneLayer() {
    assertRefused("duplicate", tar().file("a", "1").file("a", "2").bytes());
    assertRefused("duplicate", tar().symlink("a", outside.toString()).file("a", "2").bytes());
  }

  @Test
  void refusesABlobWhoseContentIsNotItsDigest() throws Exception {
    OciBuilder.Layout l = layout(tmp.resolve("layout"), tar().file("a", "1").bytes());
    Path layer = l.blob(l.layers().get(0));
    byte[] b = Files.readAllBytes(layer);
    b[b.length / 2] ^= 1;
    Files.write(layer, b);
    assertThatThrownBy(() -> store.importFrom(l.dir(), "t", null))
        .hasMessageContaining("holds content with digest");
    assertThat(store.list()).isEmpty();
  }

  @Test
  void refusesABlobOfAnotherSize() throws Exception {
    OciBuilder.Layout l = layout(tmp.resolve("layout"), tar().file("a", "1").bytes());
    Path layer = l.blob(l.layers().get(0));
    Files.write(layer, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> store.importFrom(l.dir(), "t", null))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining(l.layers().get(0));
  }

  @Test
  void refusesALayerWhoseDiffIdDoesNotMatch() throws Exception {
    byte[] tarA = tar().file("a", "1").bytes();
    byte[] tarB = tar().file("a", "2").bytes();
    OciBuilder.Layout l = layout(tmp.resolve("layout"), tarA);
    // The layer blob is intact; the config (re-hashed, with manifest and index over it) claims
    // the diff_id of another tar.
    Path cfg = findConfig(l);
    String json = Files.readString(cfg);
    String bad = json.replace(OciBuilder.sha(tarA), OciBuilder.sha(tarB));
    assertThat(bad).isNotEqualTo(json);
    relinkConfig(l, cfg, bad);
    assertThatThrownBy(() -> store.importFrom(l.dir(), "t", null))
        .hasMessageContaining("is not its diff_id");
    assertThat(store.list()).isEmpty();
  }

  @Test
  void refusesTruncatedArchivesAndLayers() throws Exception {
    OciBuilder.Layout l =
        layout(tmp.resolve("layout"), tar().file("a", new byte[5000], 0644).bytes());
    byte[] archive = OciBuilder.archive(l.dir());
    Path cut = tmp.resolve("cut.tar");
    Files.write(cut, Arrays.copyOf(archive, archive.length / 2));
    assertThatThrownBy(() -> store.importFrom(cut, "t", null))
        .isInstanceOf(RunnerException.class)
        .satisfies(
            e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.VERIFICATION_FAILED));
    // A layer blob cut short is a size and digest mismatch; a gzip stream whose tar ends early,
    // with a consistent descriptor, is a truncated tar.
    byte[] full = tar().file("a", new byte[5000], 0644).bytes();
    byte[] truncatedTar = Arrays.copyOf(full, 512 + 1000);
    assertRefused("truncated", truncatedTar);
    assertThat(store.list()).isEmpty();
  }

  @Test
  void refusesArchiveMembersThatAreNotRegularFiles() throws Exception {
    Path a = tmp.resolve("evil.tar");
    Files.write(a, tar().symlink("index.json", "/etc/passwd").bytes());
    assertThatThrownBy(() -> store.importFrom(a, "t", null))
        .hasMessageContaining("not a regular file");
    Files.write(a, tar().file("../x", "1").bytes());
    assertThatThrownBy(() -> store.importFrom(a, "t", null)).hasMessageContaining("'..'");
  }

  @Test
  void replacesLinksWhereTheSandboxMounts() throws Exception {
    StoredImage i =
        importLayers(
            tar()
                .symlink("tmp", outside.toString())
                .symlink("etc", "/etc")
                .symlink("workspace", "/")
                .bytes());
    Path r = rootfs(i);
    for (String d : SandboxRoot.DIRS) {
      assertThat(Files.isDirectory(r.resolve(d), LinkOption.NOFOLLOW_LINKS)).as(d).isTrue();
    }
    for (String f : SandboxRoot.FILES) {
      assertThat(Files.isRegularFile(r.resolve(f), LinkOption.NOFOLLOW_LINKS)).as(f).isTrue();
    }
    assertThat(outside.toFile().list()).isEmpty();
  }

  @Test
  void refusesBadNames() {
    assertThatThrownBy(() -> store.importFrom(tmp, "../x", null))
        .satisfies(e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.USAGE));
  }

  private static Path findConfig(OciBuilder.Layout l) throws Exception {
    try (var s = Files.list(l.dir().resolve("blobs/sha256"))) {
      for (Path p : s.toList()) {
        String c = Files.readString(p, StandardCharsets.ISO_8859_1);
        if (c.contains("diff_ids")) {
          return p;
        }
      }
    }
    throw new AssertionError("no config");
  }

  private static void relinkConfig(OciBuilder.Layout l, Path oldCfg, String newCfg)
      throws Exception {
    byte[] cfg = newCfg.getBytes(StandardCharsets.UTF_8);
    String cfgHex = OciBuilder.sha(cfg);
    Files.write(l.blob(cfgHex), cfg);
    String oldHex = oldCfg.getFileName().toString();
    Path manifest = l.blob(l.manifest().substring(7));
    String m =
        Files.readString(manifest)
            .replace(oldHex, cfgHex)
            .replace("\"size\":" + Files.size(oldCfg) + "}", "\"size\":" + cfg.length + "}");
    byte[] mb = m.getBytes(StandardCharsets.UTF_8);
    String mHex = OciBuilder.sha(mb);
    Files.write(l.blob(mHex), mb);
    String idx =
        Files.readString(l.dir().resolve("index.json"))
            .replace(l.manifest().substring(7), mHex)
            .replaceAll("\"size\":\\d+", "\"size\":" + mb.length);
    Files.writeString(l.dir().resolve("index.json"), idx);
  }
}
