package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evaluates the launcher's real seccomp program (classic BPF from {@code qr-sandbox-exec
 * --export-seccomp}) on chosen {@code struct seccomp_data} inputs, the way the kernel runs it. This
 * reaches cases the machine cannot show from inside a sandbox: an i386 syscall (this kernel refuses
 * {@code int 0x80} itself) and the exact action for every argument shape.
 */
class SeccompFilterTest {
  static final int AUDIT_ARCH_X86_64 = 0xC000003E;
  static final int AUDIT_ARCH_I386 = 0x40000003;
  static final int RET_KILL_PROCESS = 0x80000000;
  static final int RET_ALLOW = 0x7FFF0000;

  static int errno(int e) {
    return 0x00050000 | e;
  }

  static Bpf none;
  static Bpf loopback;

  @BeforeAll
  static void export() throws Exception {
    Path launcher = Path.of(System.getProperty("quackrunner.libexec"), "qr-sandbox-exec");
    none = Bpf.of(export(launcher, "none"));
    loopback = Bpf.of(export(launcher, "loopback"));
  }

  private static byte[] export(Path launcher, String mode) throws Exception {
    Process p = new ProcessBuilder(launcher.toString(), "--export-seccomp", mode).start();
    byte[] prog = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).as(new String(p.getErrorStream().readAllBytes())).isZero();
    return prog;
  }

  @Test
  void foreignArchitecturesKillTheProcess() {
    for (Bpf f : new Bpf[] {none, loopback}) {
      assertThat(f.run(AUDIT_ARCH_I386, 4, 1, 0)).isEqualTo(RET_KILL_PROCESS); // i386 write
      assertThat(f.run(AUDIT_ARCH_I386, 20)).isEqualTo(RET_KILL_PROCESS); // i386 getpid
      assertThat(f.run(0x40000028, 1)).isEqualTo(RET_KILL_PROCESS); // arm
      assertThat(f.run(AUDIT_ARCH_X86_64, 0x40000000 | 1, 1)).isEqualTo(RET_KILL_PROCESS); // x32
      assertThat(f.run(AUDIT_ARCH_X86_64, 1, 1)).isEqualTo(RET_ALLOW); // native write
    }
  }

  @Test
  void unlistedSyscallsAnswerEnosys() {
    assertThat(none.run(AUDIT_ARCH_X86_64, 206)).isEqualTo(errno(38)); // io_setup
    assertThat(none.run(AUDIT_ARCH_X86_64, 435)).isEqualTo(errno(38)); // clone3
    assertThat(none.run(AUDIT_ARCH_X86_64, 999)).isEqualTo(errno(38)); // not a syscall yet
    assertThat(none.run(AUDIT_ARCH_X86_64, 425)).isEqualTo(errno(1)); // io_uring_setup
    assertThat(none.run(AUDIT_ARCH_X86_64, 430)).isEqualTo(errno(1)); // fsopen
  }

  @Test
  void intArgumentsAreComparedOnTheLow32Bits() {
    long bit32 = 1L << 32;
    int socket = 41;
    assertThat(loopback.run(AUDIT_ARCH_X86_64, socket, 40)).isEqualTo(errno(97)); // AF_VSOCK
    assertThat(loopback.run(AUDIT_ARCH_X86_64, socket, 40 | bit32)).isEqualTo(errno(97));
    assertThat(loopback.run(AUDIT_ARCH_X86_64, socket, 0xFFFFFFFF00000028L)).isEqualTo(errno(97));
    assertThat(loopback.run(AUDIT_ARCH_X86_64, socket, 2 | bit32)).isEqualTo(RET_ALLOW); // INET
    assertThat(none.run(AUDIT_ARCH_X86_64, socket, 2 | bit32)).isEqualTo(errno(97));
    assertThat(none.run(AUDIT_ARCH_X86_64, socket, 1 | bit32)).isEqualTo(RET_ALLOW); // UNIX
    int ioctl = 16;
    long tiocsti = 0x5412;
    assertThat(none.run(AUDIT_ARCH_X86_64, ioctl, 0, tiocsti)).isEqualTo(errno(1));
    assertThat(none.run(AUDIT_ARCH_X86_64, ioctl, 0, tiocsti | bit32)).isEqualTo(errno(1));
    assertThat(none.run(AUDIT_ARCH_X86_64, ioctl, 0, 0x541C | bit32)).isEqualTo(errno(1));
    for (long cmd : new long[] {0x5401, 0x5413, 0x541B, 0x541D, 0x80045430L, 0xFFFFFFFF80045430L}) {
      assertThat(none.run(AUDIT_ARCH_X86_64, ioctl, 0, cmd))
          .as("ioctl %x", cmd)
          .isEqualTo(RET_ALLOW);
    }
  }

  @Test
  void namespaceFlagsAreRefusedOnCloneAndUnshare() {
    int clone = 56;
    int unshare = 272;
    long sigchld = 17;
    assertThat(none.run(AUDIT_ARCH_X86_64, clone, sigchld | 0x3D0F00)).isEqualTo(RET_ALLOW);
    assertThat(none.run(AUDIT_ARCH_X86_64, clone, sigchld | 0x10000000)).isEqualTo(errno(1));
    assertThat(none.run(AUDIT_ARCH_X86_64, clone, sigchld | 0x20000)).isEqualTo(errno(1));
    assertThat(none.run(AUDIT_ARCH_X86_64, unshare, 0x400)).isEqualTo(RET_ALLOW); // CLONE_FILES
    assertThat(none.run(AUDIT_ARCH_X86_64, unshare, 0x80)).isEqualTo(errno(1)); // CLONE_NEWTIME
    assertThat(none.run(AUDIT_ARCH_X86_64, unshare, 0x40000000)).isEqualTo(errno(1)); // NEWNET
  }

  /** A classic-BPF interpreter for the instructions seccomp programs use. */
  record Bpf(short[] code, byte[] jt, byte[] jf, int[] k) {
    static Bpf of(byte[] prog) {
      assertThat(prog.length % 8).isZero();
      int n = prog.length / 8;
      ByteBuffer b = ByteBuffer.wrap(prog).order(ByteOrder.nativeOrder());
      Bpf f = new Bpf(new short[n], new byte[n], new byte[n], new int[n]);
      for (int i = 0; i < n; i++) {
        f.code[i] = b.getShort();
        f.jt[i] = b.get();
        f.jf[i] = b.get();
        f.k[i] = b.getInt();
      }
      return f;
    }

    /** Runs the program on {nr, arch, ip=0, args} and returns its SECCOMP_RET_* value. */
    int run(int arch, int nr, long... args) {
      ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
      data.putInt(0, nr).putInt(4, arch);
      for (int i = 0; i < args.length; i++) {
        data.putLong(16 + 8 * i, args[i]);
      }
      int a = 0;
      int x = 0;
      int[] mem = new int[16];
      for (int pc = 0; pc < code.length; pc++) {
        int op = code[pc] & 0xFFFF;
        int kk = k[pc];
        switch (op) {
          case 0x20 -> a = data.getInt(kk); // ld [k]
          case 0x00 -> a = kk; // ld #k
          case 0x01 -> x = kk; // ldx #k
          case 0x60 -> a = mem[kk]; // ld M[k]
          case 0x61 -> x = mem[kk]; // ldx M[k]
          case 0x02 -> mem[kk] = a; // st M[k]
          case 0x03 -> mem[kk] = x; // stx M[k]
          case 0x54 -> a &= kk; // and #k
          case 0x44 -> a |= kk; // or #k
          case 0x04 -> a += kk; // add #k
          case 0x14 -> a -= kk; // sub #k
          case 0x07 -> x = a; // tax
          case 0x87 -> a = x; // txa
          case 0x05 -> pc += kk; // ja
          case 0x15 -> pc += a == kk ? jt[pc] & 0xFF : jf[pc] & 0xFF; // jeq #k
          case 0x25 -> pc += Integer.compareUnsigned(a, kk) > 0 ? jt[pc] & 0xFF : jf[pc] & 0xFF;
          case 0x35 -> pc += Integer.compareUnsigned(a, kk) >= 0 ? jt[pc] & 0xFF : jf[pc] & 0xFF;
          case 0x45 -> pc += (a & kk) != 0 ? jt[pc] & 0xFF : jf[pc] & 0xFF; // jset #k
          case 0x1D -> pc += a == x ? jt[pc] & 0xFF : jf[pc] & 0xFF; // jeq x
          case 0x06 -> { // ret #k
            return kk;
          }
          case 0x16 -> { // ret a
            return a;
          }
          default -> throw new IllegalStateException("BPF op 0x" + Integer.toHexString(op));
        }
      }
      throw new IllegalStateException("BPF program fell off its end");
    }
  }
}
