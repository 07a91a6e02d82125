import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step of runner-cli (package phase, after copy-dependencies; run as a source file by the JDK
 * of the build): rewrites the jars in {@code target/lib} that the JDK AOT cache (JEP 483/514, like
 * CDS before it) would otherwise leave out, so that {@code bin/runner}'s cache holds their classes,
 * loaded and linked (issue 19, docs/BENCHMARKS.md "start-up").
 *
 * <ul>
 *   <li>A signed jar (Bouncy Castle's bcprov): the cache skips classes from signed jars, and the
 *       JDK checks the signature (an RSA verification and a SHA-256 of every class read) on every
 *       start. The signature files ({@code META-INF/*.SF}, {@code *.RSA}, {@code *.DSA}, {@code
 *       *.EC}) are dropped, and with them the manifest's per-entry digests (850 KB of bcprov's
 *       manifest, read on every start); the classes are byte for byte the same. The project uses
 *       Bouncy Castle's lightweight API, not the JCA provider, so nothing needs the jar signed.
 *   <li>Class files older than version 50 (picocli is compiled for Java 5): the cache skips them
 *       ("Old class has been linked"), and the JVM verifies them with the slow type-inferring
 *       verifier on every start. They are rewritten to version 52 (Java 8) with StackMapTable
 *       frames computed by the JDK's {@code java.lang.classfile}; the bytecode is unchanged.
 * </ul>
 *
 * <p>Jars that need neither are left alone, so a second run changes nothing. Usage: {@code java
 * AotLibs.java LIBDIR}. Fails (exit 1) if a class cannot be rewritten.
 */
public final class AotLibs {
  private static final Pattern SIGNATURE =
      Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)", Pattern.CASE_INSENSITIVE);
  private static final int OLDEST_ARCHIVED = 50;
  private static final int TARGET = 52;

  private AotLibs() {}

  public static void main(String[] args) throws IOException {
    Path lib = Path.of(args[0]);
    List<Path> jars = new ArrayList<>();
    try (var s = Files.list(lib)) {
      s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
    }
    for (Path jar : jars) {
      if (needsRewrite(jar)) {
        rewrite(jar);
      }
    }
  }

  private static boolean needsRewrite(Path jar) throws IOException {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
        ZipEntry en = e.nextElement();
        if (SIGNATURE.matcher(en.getName()).matches()) {
          return true;
        }
        if (isClass(en.getName())) {
          try (InputStream in = z.getInputStream(en)) {
            byte[] head = in.readNBytes(8);
            if (head.length == 8 && ((head[6] & 0xff) << 8 | (head[7] & 0xff)) < OLDEST_ARCHIVED) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  private static boolean isClass(String name) {
    return name.endsWith(".class")
        && !name.startsWith("META-INF/")
        && !name.endsWith("module-info.class");
  }

  /** The manifest with its main attributes and without the per-entry digests of a signature. */
  private static byte[] withoutDigests(byte[] manifest) throws IOException {
    Manifest in = new Manifest(new java.io.ByteArrayInputStream(manifest));
    Manifest out = new Manifest();
    out.getMainAttributes().putAll(in.getMainAttributes());
    in.getEntries()
        .forEach(
            (name, attrs) -> {
              Attributes kept = new Attributes();
              attrs.forEach(
                  (k, v) -> {
                    if (!k.toString().endsWith("-Digest")) {
                      kept.put(k, v);
                    }
                  });
              if (!kept.isEmpty()) {
                out.getEntries().put(name, kept);
              }
            });
    var bytes = new java.io.ByteArrayOutputStream();
    out.write(bytes);
    return bytes.toByteArray();
  }

  private static void rewrite(Path jar) throws IOException {
    Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
    int dropped = 0;
    int upgraded = 0;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
        ZipFile z = new ZipFile(jar.toFile());
        OutputStream os = Files.newOutputStream(tmp);
        ZipOutputStream out = new ZipOutputStream(os)) {
      ClassFile cf =
          ClassFile.of(
              ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
              ClassFile.ClassHierarchyResolverOption.of(
                  ClassHierarchyResolver.defaultResolver()
                      .orElse(ClassHierarchyResolver.ofClassLoading(loader))));
      ClassTransform version =
          (b, el) -> {
            if (el instanceof ClassFileVersion) {
              b.withVersion(TARGET, 0);
            } else {
              b.with(el);
            }
          };
      // Passing each method body through a code transform makes the library rebuild the code
      // attribute, which is when it computes the stack map frames.
      ClassTransform upgrade =
          version.andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL));
      boolean signed = z.stream().anyMatch(en -> SIGNATURE.matcher(en.getName()).matches());
      for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
        ZipEntry en = e.nextElement();
        if (SIGNATURE.matcher(en.getName()).matches()) {
          dropped++;
          continue;
        }
        byte[] bytes;
        try (InputStream in = z.getInputStream(en)) {
          bytes = in.readAllBytes();
        }
        if (signed && en.getName().equals("META-INF/MANIFEST.MF")) {
          bytes = withoutDigests(bytes);
        } else if (isClass(en.getName())) {
          ClassModel m = cf.parse(bytes);
          if (m.majorVersion() < OLDEST_ARCHIVED) {
            bytes = cf.transformClass(m, upgrade);
            upgraded++;
          }
        }
        ZipEntry copy = new ZipEntry(en.getName());
        copy.setTime(en.getTime());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    } catch (RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw new IOException(jar + ": cannot rewrite: " + e, e);
    }
    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
    System.out.println(
        "aot-libs: "
            + jar.getFileName()
            + ": "
            + (dropped > 0 ? "dropped " + dropped + " signature files" : "")
            + (dropped > 0 && upgraded > 0 ? ", " : "")
            + (upgraded > 0 ? "class files " + upgraded + " rewritten to version " + TARGET : ""));
  }
}
