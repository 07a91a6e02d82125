package io.quackrunner.sandbox;

import io.quackrunner.limits.NetworkMode;
import io.quackrunner.secrets.SecretValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the command line of one sandbox: {@code qr-sandbox-exec} options, then bubblewrap's.
 *
 * <p>The sandbox gets new user, pid, ipc, uts, cgroup and (unless the network is {@code host}) net
 * namespaces; uid/gid {@link Workspace#INNER_ID} inside, mapped to a dedicated host uid; no
 * capabilities; no further user namespaces; a read-only root with {@code /usr}, the top-level links
 * into it, and as {@code /etc} a prepared {@link EtcView} of a short list of host files — or, for
 * an image-backed runtime, the image's unpacked root filesystem bound read-only as {@code /} (the
 * launcher and bubblewrap still come from the host); {@code /workspace/in} read-only, {@code
 * /workspace/out} and {@code /tmp} sized tmpfs; {@code /run/secrets} read-only from the workspace's
 * secrets tmpfs when the run has file secrets; an environment made only of what is listed here. The
 * command runs through {@code /usr/bin/env --}, whose exit codes 126 (not executable) and 127 (not
 * found) are the POSIX shell's.
 */
final class BwrapCommand {
  /** /etc files every run sees: the loader cache, alternatives links, time zone, MIME table. */
  private static final List<String> BASE_ETC =
      List.of(
          "/etc/ld.so.cache",
          "/etc/ld.so.conf",
          "/etc/ld.so.conf.d",
          "/etc/alternatives",
          "/etc/localtime",
          "/etc/mime.types");

  /** Extra /etc files when the sandbox shares the host network. */
  private static final List<String> NET_ETC =
      List.of(
          "/etc/resolv.conf",
          "/etc/hosts",
          "/etc/nsswitch.conf",
          "/etc/ssl",
          "/etc/ca-certificates");

  /** Extra /etc files in the egress mode: CA certificates for TLS through CONNECT; no resolver. */
  private static final List<String> EGRESS_ETC = List.of("/etc/ssl", "/etc/ca-certificates");

  /** Where the policy proxy answers inside an egress sandbox (the launcher's EGRESS_PORT). */
  static final String EGRESS_PROXY_URL = "http://127.0.0.1:3128";

  /** The proxy's UNIX socket inside the sandbox (a proxy-aware tool may use it directly). */
  static final String EGRESS_SOCKET_INSIDE = "/run/quackrunner/proxy.sock";

  private static final List<String> TOP_LEVEL =
      List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

  private BwrapCommand() {}

  /**
   * @param seccompProgram the launcher's exported filter for this run's network mode ({@link
   *     SeccompPrograms}), passed as {@code --seccomp-bpf}
   * @param etcView the {@link EtcView} of {@link #etcEntries}, bound as {@code /etc}; null for an
   *     image-backed runtime, whose /etc is the image's
   */
  static List<String> build(
      SandboxConfig cfg,
      CgroupSlot slot,
      int uid,
      SandboxSpec spec,
      Workspace ws,
      Path seccompProgram,
      Path etcView) {
    List<String> c = new ArrayList<>();
    c.add(cfg.launcher().toString());
    for (Path p : slot.joinDirectories()) {
      c.add("--cgroup");
      c.add(p.toString());
    }
    long cpuSeconds = Math.max(1, (spec.limits().cpuTimeMs() + 999) / 1000);
    addRlimit(c, "cpu", cpuSeconds + ":" + (cpuSeconds + 1)); // SIGXCPU first, then SIGKILL
    addRlimit(c, "fsize", Long.toString(spec.limits().fileSizeBytes()));
    addRlimit(c, "core", "0");
    addRlimit(c, "nofile", "1024");
    c.addAll(List.of("--uid", Integer.toString(uid), "--gid", Integer.toString(uid)));
    boolean egress = spec.limits().network() == NetworkMode.EGRESS;
    // The seccomp filter of egress is loopback's: INET sockets, which reach only the netns's lo.
    c.addAll(List.of("--network", egress ? "loopback" : spec.limits().network().label()));
    c.addAll(List.of("--status-file", ws.statusFile().toString()));
    c.addAll(List.of("--seccomp-bpf", seccompProgram.toString()));
    if (egress) {
      c.addAll(List.of("--egress-socket", egressSocket(uid).toString()));
    }
    c.add("--");

    c.add(cfg.bwrap().toString());
    c.addAll(
        List.of(
            "--unshare-user",
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-uts",
            "--unshare-cgroup"));
    if (spec.limits().network() != NetworkMode.HOST && !egress) {
      c.add("--unshare-net"); // egress: the launcher made the network namespace already
    }
    c.addAll(
        List.of(
            "--uid",
            Integer.toString(Workspace.INNER_ID),
            "--gid",
            Integer.toString(Workspace.INNER_ID)));
    c.addAll(
        List.of(
            "--hostname", "sandbox", "--disable-userns", "--cap-drop", "ALL", "--die-with-parent"));
    if (!spec.interactive()) {
      c.add("--new-session");
    }
    if (spec.runtime().image() != null) {
      // The image's root filesystem is the whole root; only the network files come from the host.
      c.addAll(List.of("--ro-bind", spec.runtime().image().rootfs().toString(), "/"));
      if (spec.limits().network() == NetworkMode.HOST) {
        for (String b : List.of("/etc/resolv.conf", "/etc/hosts")) {
          c.addAll(List.of("--ro-bind-try", b, b));
        }
      }
      c.addAll(List.of("--ro-bind", ws.seed().resolve("passwd").toString(), "/etc/passwd"));
      c.addAll(List.of("--ro-bind", ws.seed().resolve("group").toString(), "/etc/group"));
    } else {
      hostRoot(c, spec, etcView);
    }
    c.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
    // /dev/shm: bubblewrap's own tmpfs (none of the host's paths), sized like /tmp.
    c.addAll(
        List.of(
            "--size",
            Long.toString(spec.limits().tmpDirBytes()),
            "--perms",
            "1777",
            "--tmpfs",
            "/dev/shm"));
    c.addAll(List.of("--bind", ws.tmp().toString(), "/tmp"));
    c.addAll(List.of("--dir", "/workspace"));
    c.addAll(List.of("--ro-bind", ws.in().toString(), "/workspace/in"));
    c.addAll(List.of("--bind", ws.out().toString(), "/workspace/out"));
    if (!spec.fileSecrets().isEmpty()) {
      c.addAll(List.of("--ro-bind", ws.secrets().toString(), "/run/secrets"));
    }
    if (egress) {
      c.addAll(List.of("--ro-bind", egressSocket(uid).getParent().toString(), "/run/quackrunner"));
    }
    c.addAll(List.of("--remount-ro", "/", "--chdir", "/workspace"));
    for (Map.Entry<String, String> e : environment(spec).entrySet()) {
      c.addAll(List.of("--setenv", e.getKey(), e.getValue()));
    }
    if (!spec.interactive() && secretArgs(spec).length > 0) {
      c.addAll(List.of("--args", "0")); // env secrets come on stdin, never in an argv
    }
    c.addAll(List.of("--", "/usr/bin/env", "--"));
    c.addAll(spec.argv());
    return c;
  }

  /**
   * The host-backed root: the host's /usr, its top-level links, /etc as the run's view (one
   * recursive bind; the view's tmpfs and binds are read-only, so /etc is too), then the runtime
   * profile's binds outside /etc.
   */
  private static void hostRoot(List<String> c, SandboxSpec spec, Path etcView) {
    c.addAll(List.of("--ro-bind", "/usr", "/usr"));
    for (String top : TOP_LEVEL) {
      Path p = Path.of("/", top);
      if (Files.isSymbolicLink(p)) {
        try {
          c.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), p.toString()));
        } catch (IOException e) {
          throw new IllegalStateException("cannot read link " + p, e);
        }
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        c.addAll(List.of("--ro-bind", p.toString(), p.toString()));
      }
    }
    if (etcView == null) {
      throw new IllegalArgumentException("a host-backed root needs its /etc view");
    }
    c.addAll(List.of("--bind", etcView.toString(), "/etc"));
    for (String b : spec.runtime().profile().binds()) {
      if (!isEtc(b)) {
        c.addAll(List.of("--ro-bind-try", b, b));
      }
    }
  }

  /**
   * Returns the host /etc entries a host-backed run sees, in order: the base list, the network
   * mode's, then the runtime profile's below /etc; empty for an image-backed runtime.
   */
  static List<String> etcEntries(SandboxSpec spec) {
    if (spec.runtime().image() != null) {
      return List.of();
    }
    List<String> binds = new ArrayList<>(BASE_ETC);
    if (spec.limits().network() == NetworkMode.HOST) {
      binds.addAll(NET_ETC);
    } else if (spec.limits().network() == NetworkMode.EGRESS) {
      binds.addAll(EGRESS_ETC); // CA certificates for TLS through the proxy; no resolver files
    }
    for (String b : spec.runtime().profile().binds()) {
      if (isEtc(b) && !binds.contains(b)) {
        binds.add(b);
      }
    }
    return binds;
  }

  private static boolean isEtc(String path) {
    return path.startsWith("/etc/");
  }

  /** The sandbox environment: fixed entries, then the runtime's, then the caller's allow-listed. */
  static Map<String, String> environment(SandboxSpec spec) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", spec.runtime().profile().path());
    env.put("HOME", "/tmp");
    env.put("TMPDIR", "/tmp");
    env.put("LANG", "C.UTF-8");
    env.put("OUT_DIR", "/workspace/out");
    env.put("IN_DIR", "/workspace/in");
    env.put("RUNNER_EXECUTION_ID", spec.executionId());
    if (spec.interactive()) {
      env.put("TERM", "xterm-256color");
      env.put("PS1", "sandbox:\\w\\$ ");
    }
    env.putAll(spec.runtime().profile().env());
    env.putAll(spec.env());
    if (spec.limits().network() == NetworkMode.EGRESS) {
      // Set last, so no tool or caller variable replaces them. curl reads only the lower-case
      // http_proxy; others read either.
      for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")) {
        env.put(name, EGRESS_PROXY_URL);
        env.put(name.toLowerCase(java.util.Locale.ROOT), EGRESS_PROXY_URL);
      }
      env.put("NO_PROXY", "localhost,127.0.0.1,::1");
      env.put("no_proxy", "localhost,127.0.0.1,::1");
      env.put("QUACKRUNNER_PROXY_SOCKET", EGRESS_SOCKET_INSIDE);
    }
    return env;
  }

  /** The host path of the egress proxy's socket of the slot whose uid is {@code uid}. */
  static Path egressSocket(int uid) {
    return Workspace.EGRESS_ROOT.resolve(Integer.toString(uid)).resolve("proxy.sock");
  }

  /**
   * Returns the {@code --setenv NAME VALUE} options of the spec's {@code as: env} secrets as
   * bubblewrap's {@code --args} format (NUL-terminated arguments), written to its stdin, so no
   * value is in an argv that {@code /proc/PID/cmdline} shows; empty when there are none.
   */
  static byte[] secretArgs(SandboxSpec spec) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (SecretValue s : spec.secrets()) {
      if (s.delivery() == SecretValue.Delivery.ENV) {
        for (byte[] part :
            new byte[][] {
              "--setenv".getBytes(StandardCharsets.US_ASCII),
              s.target().getBytes(StandardCharsets.US_ASCII),
              s.value()
            }) {
          b.writeBytes(part);
          b.write(0);
        }
      }
    }
    return b.toByteArray();
  }

  private static void addRlimit(List<String> c, String name, String value) {
    c.add("--rlimit");
    c.add(name + "=" + value);
  }
}
