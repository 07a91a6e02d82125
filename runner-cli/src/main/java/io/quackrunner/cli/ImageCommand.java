package io.quackrunner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Engine;
import io.quackrunner.images.ImageBuilder;
import io.quackrunner.images.ImageStore;
import io.quackrunner.images.StoredImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner image build|import|ls|rm|inspect}: the OCI image store of the state directory
 * ({@code <state>/images}, docs/IMAGES.md). A runtime whose name an image has runs on that image.
 */
@Command(
    name = "image",
    description = "Import, list, inspect or remove OCI images (runners' root filesystems)",
    subcommands = {
      ImageCommand.Build.class,
      ImageCommand.Import.class,
      ImageCommand.Ls.class,
      ImageCommand.Inspect.class,
      ImageCommand.Rm.class
    })
public final class ImageCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Override
  public Integer call() {
    throw new RunnerException(
        ErrorKind.USAGE, "image needs a subcommand: import, ls, inspect or rm");
  }

  static ImageStore store() {
    return ImageStore.open(Engine.stateDir(System.getenv()));
  }

  /**
   * The {@code runners/} directory: {@code RUNNER_RUNNERS_DIR}, else {@code runners/} of the
   * installation ({@code quackrunner.home}, which bin/runner sets), else of the working directory.
   */
  static Path runnersDir() {
    String env = variable("RUNNER_RUNNERS_DIR");
    return env != null
        ? Path.of(env)
        : Path.of(System.getProperty("quackrunner.home", ".")).resolve("runners");
  }

  /** The built-layout cache: {@code RUNNER_IMAGE_CACHE}, else /var/cache/quackrunner/images. */
  static Path cacheDir() {
    String env = variable("RUNNER_IMAGE_CACHE");
    return env != null ? Path.of(env) : ImageBuilder.DEFAULT_CACHE;
  }

  /** An environment variable, null when unset; set but empty is a usage error (docs/CLI.md). */
  private static String variable(String name) {
    String v = System.getenv(name);
    if (v != null && v.isEmpty()) {
      throw new RunnerException(ErrorKind.USAGE, name + " is set but empty");
    }
    return v;
  }

  /** Builds a runner's image from its recipe with mmdebstrap and imports it. */
  @Command(
      name = "build",
      description =
          "Build runners/<runner-id>/recipe.json with mmdebstrap into an OCI layout and import it")
  static final class Build implements Callable<Integer> {
    @ParentCommand ImageCommand image;

    @Parameters(paramLabel = "RUNNER_ID", arity = "1..*", description = "e.g. base python-3.11")
    java.util.List<String> ids;

    @Option(names = "--no-cache", description = "build even when the layout cache has this key")
    boolean noCache;

    @Override
    public Integer call() {
      ImageBuilder b = new ImageBuilder(runnersDir(), cacheDir(), store());
      for (String id : ids) {
        ImageBuilder.Result r = b.build(id, !noCache);
        image
            .runner
            .context()
            .out()
            .println(
                r.image().digest()
                    + "\t"
                    + id
                    + "\t"
                    + r.image().rootfsBytes()
                    + "\t"
                    + (r.cached() ? "cached" : "built " + r.buildMs() + " ms")
                    + "\timported "
                    + r.importMs()
                    + " ms\t"
                    + r.layout());
        image.runner.context().out().flush();
      }
      return 0;
    }
  }

  private static String line(StoredImage i, Map<String, String> names) {
    String n =
        String.join(
            ",",
            names.entrySet().stream()
                .filter(e -> e.getValue().equals(i.digest()))
                .map(Map.Entry::getKey)
                .toList());
    return i.digest()
        + "\t"
        + (n.isEmpty() ? "-" : n)
        + "\t"
        + i.rootfsBytes()
        + "\t"
        + i.importedAt();
  }

  /** Imports an OCI archive or image layout directory. */
  @Command(
      name = "import",
      description = "Import an OCI archive (tar) or image layout directory, verifying every blob")
  static final class Import implements Callable<Integer> {
    @ParentCommand ImageCommand image;

    @Parameters(index = "0", paramLabel = "FILE|DIR", description = "oci-archive tar or layout dir")
    Path source;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "name it (a runtime id such as python-3.11 makes that runtime image-backed)")
    String name;

    @Option(
        names = "--ref",
        paramLabel = "REF",
        description = "the org.opencontainers.image.ref.name to take when the layout has several")
    String ref;

    @Override
    public Integer call() {
      long t0 = System.nanoTime();
      StoredImage i = store().importFrom(source, name, ref);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      image.runner.context().out().println(line(i, store().names()) + "\t" + ms + " ms");
      return 0;
    }
  }

  /** Lists the stored images. */
  @Command(name = "ls", description = "List images: digest, names, unpacked bytes, import time")
  static final class Ls implements Callable<Integer> {
    @ParentCommand ImageCommand image;

    @Override
    public Integer call() {
      ImageStore s = store();
      Map<String, String> names = s.names();
      for (StoredImage i : s.list()) {
        image.runner.context().out().println(line(i, names));
      }
      return 0;
    }
  }

  /** Prints one image's record as JSON. */
  @Command(name = "inspect", description = "Print an image's record (layers, digests) as JSON")
  static final class Inspect implements Callable<Integer> {
    @ParentCommand ImageCommand image;

    @Parameters(index = "0", paramLabel = "NAME|DIGEST")
    String which;

    @Override
    public Integer call() throws Exception {
      StoredImage i = store().find(which);
      image
          .runner
          .context()
          .out()
          .println(
              new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(i));
      return 0;
    }
  }

  /** Removes a name, or an image by digest. */
  @Command(
      name = "rm",
      description = "Remove a name (the image goes with its last name), or an image by digest")
  static final class Rm implements Callable<Integer> {
    @ParentCommand ImageCommand image;

    @Parameters(index = "0", paramLabel = "NAME|DIGEST")
    String which;

    @Override
    public Integer call() {
      StoredImage i = store().remove(which);
      image.runner.context().out().println("removed " + which + " (" + i.digest() + ")");
      return 0;
    }
  }
}
