/*
 * qr-sandbox-exec: the step between the JVM and bubblewrap that Java cannot do itself.
 *
 * Between fork and exec it (in this order):
 *   1. joins each cgroup given with --cgroup DIR (writes "0" to DIR/cgroup.procs), so every
 *      process of the sandbox is counted and killable from its first instruction;
 *   2. sets the rlimits given with --rlimit NAME=SOFT[:HARD] (hard defaults to soft);
 *   3. builds a seccomp filter with libseccomp and exports it as classic BPF into a memfd that
 *      bubblewrap loads with --seccomp FD (the approach Flatpak uses) — or, with --seccomp-bpf
 *      PATH, opens that program instead: the same filter exported earlier by this very binary
 *      (--export-seccomp), which the runner keeps per launcher and network mode so the filter is
 *      compiled once, not on every run (libseccomp's compile costs about 4 ms of CPU a run);
 *   4. opens --status-file for bubblewrap's --json-status-fd;
 *   5. closes every other descriptor above 2;
 *   6. drops to the dedicated sandbox uid/gid with no supplementary groups and no capabilities,
 *      sets no_new_privs and a SIGKILL parent-death signal (re-armed after the uid change, which
 *      clears it);
 *   7. execs bubblewrap with an EMPTY environment (bwrap's own /proc/1/environ stays empty).
 *
 * With --egress-socket PATH (the allow-list network mode, docs/SANDBOX.md "Egress"), before step 5
 * it also makes the sandbox's network namespace itself: unshare(CLONE_NEWNET) while still root, so
 * the namespace belongs to the host's user namespace and nothing in the sandbox can reconfigure it;
 * brings up its loopback (the only device: no route out); listens on 127.0.0.1:EGRESS_PORT there;
 * and forks the bridge, a small process outside the sandbox's pid namespace and seccomp filter
 * (the tool keeps both) that drops to the sandbox uid and relays each accepted connection to the
 * runner's policy proxy at PATH, a UNIX socket on the host. bubblewrap is then started without
 * --unshare-net and joins this namespace.
 *
 * Usage: qr-sandbox-exec [--cgroup DIR]... [--rlimit NAME=SOFT[:HARD]]... --uid N --gid N
 *                        [--network none|loopback|host] [--status-file PATH]
 *                        [--egress-socket PATH] [--seccomp-bpf PATH] -- BWRAP [ARG]...
 *        qr-sandbox-exec --export-seccomp none|loopback   (the filter's BPF on stdout)
 * Exit code 125 with one line on stderr when anything here fails; bubblewrap is never started
 * half-configured.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FAIL_CODE 125
#define MAX_ITEMS 16
/* Where the policy proxy answers inside an egress sandbox: 127.0.0.1:3128 (HTTP_PROXY & co). */
#define EGRESS_PORT 3128

static void die(const char *what) {
  fprintf(stderr, "qr-sandbox-exec: %s: %s\n", what, errno ? strerror(errno) : "invalid");
  _exit(FAIL_CODE);
}

static void usage(const char *msg) {
  fprintf(stderr, "qr-sandbox-exec: %s\n", msg);
  _exit(FAIL_CODE);
}

static long parse_long(const char *s, const char *what) {
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end != '\0' || v < 0) usage(what);
  return v;
}

static int rlimit_resource(const char *name) {
  if (!strcmp(name, "cpu")) return RLIMIT_CPU;
  if (!strcmp(name, "fsize")) return RLIMIT_FSIZE;
  if (!strcmp(name, "nofile")) return RLIMIT_NOFILE;
  if (!strcmp(name, "core")) return RLIMIT_CORE;
  if (!strcmp(name, "stack")) return RLIMIT_STACK;
  if (!strcmp(name, "nproc")) return RLIMIT_NPROC;
  if (!strcmp(name, "memlock")) return RLIMIT_MEMLOCK;
  if (!strcmp(name, "msgqueue")) return RLIMIT_MSGQUEUE;
  usage("unknown rlimit name");
  return -1;
}

static void join_cgroup(const char *dir) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/cgroup.procs", dir) >= (int)sizeof path) usage("cgroup path too long");
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) die(path);
  if (write(fd, "0", 1) != 1) die(path);
  close(fd);
}

/*
 * The seccomp filter is an allow-list: every syscall not named below answers ENOSYS, which glibc
 * and the runtimes treat as "not supported" and fall back from (clone3 -> clone, statx -> fstatat,
 * io_uring -> a thread pool). It was written from the x86_64 syscall table
 * (asm/unistd_64.h) and what the shipped runtimes call (sh/coreutils, python3, ImageMagick,
 * gcc/binutils, node, the JVM), in the manner of the Docker/Podman and Flatpak default profiles.
 *
 * Kept out on purpose (ENOSYS): Linux AIO (io_setup...), kcmp, pidfd_getfd, process_madvise,
 * process_mrelease, mbind/set_mempolicy/migrate_pages/move_pages, modify_ldt, iopl/ioperm,
 * settimeofday/clock_settime/adjtimex/clock_adjtime, sethostname/setdomainname, vhangup,
 * lookup_dcookie, memfd_secret, quotactl_fd, sysfs/ustat/uselib and the other obsolete calls,
 * and every syscall newer than this list.
 */
static const char *const ALLOWED[] = {
    /* files and descriptors */
    "read", "write", "open", "openat", "openat2", "close", "close_range", "creat", "lseek",
    "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2",
    "dup", "dup2", "dup3", "pipe", "pipe2", "fcntl", "flock", "fsync", "fdatasync", "sync",
    "syncfs", "sync_file_range", "truncate", "ftruncate", "fallocate", "fadvise64", "readahead",
    "sendfile", "splice", "tee", "vmsplice", "copy_file_range", "stat", "fstat", "lstat",
    "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2",
    "getdents", "getdents64", "getcwd", "chdir", "fchdir", "rename", "renameat", "renameat2",
    "mkdir", "mkdirat", "rmdir", "link", "linkat", "unlink", "unlinkat", "symlink", "symlinkat",
    "readlink", "readlinkat", "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown",
    "fchownat", "umask", "utime", "utimes", "utimensat", "futimesat", "mknod", "mknodat",
    "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr", "setxattr",
    "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "memfd_create",
    "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
    /* waiting for events */
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd", "signalfd4",
    "timerfd_create", "timerfd_settime", "timerfd_gettime",
    /* memory */
    "brk", "mmap", "munmap", "mremap", "mprotect", "msync", "mincore", "madvise", "mlock",
    "mlock2", "munlock", "mlockall", "munlockall", "membarrier", "pkey_mprotect", "pkey_alloc",
    "pkey_free", "get_mempolicy",
    /* processes and threads (clone with namespace flags is refused below) */
    "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "getpid",
    "getppid", "gettid", "getpgrp", "getpgid", "setpgid", "getsid", "setsid",
    "set_tid_address", "set_robust_list", "get_robust_list", "rseq", "arch_prctl", "prctl",
    "futex", "futex_waitv", "restart_syscall", "seccomp", "landlock_create_ruleset",
    "landlock_add_rule", "landlock_restrict_self",
    /* credentials (no capabilities: only changes the kernel allows anyone) */
    "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups", "setuid",
    "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid",
    "setfsgid", "capget", "capset",
    /* signals */
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
    "rt_sigqueueinfo", "rt_tgsigqueueinfo", "rt_sigsuspend", "sigaltstack", "pause", "alarm",
    "getitimer", "setitimer", "kill", "tkill", "tgkill", "pidfd_open", "pidfd_send_signal",
    /* time */
    "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
    "times", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
    /* scheduling and resources */
    "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_setparam",
    "sched_getscheduler", "sched_setscheduler", "sched_get_priority_max",
    "sched_get_priority_min", "sched_rr_get_interval", "sched_getattr", "sched_setattr",
    "getpriority", "setpriority", "ioprio_get", "ioprio_set", "getcpu", "getrlimit", "setrlimit",
    "prlimit64", "getrusage", "sysinfo", "uname", "getrandom",
    /* System V and POSIX IPC (the sandbox has its own IPC namespace) */
    "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl", "msgget",
    "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
    "mq_notify", "mq_getsetattr",
    /* sockets (socket and socketpair are allowed per family below) */
    "connect", "accept", "accept4", "bind", "listen", "getsockname", "getpeername", "sendto",
    "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown", "setsockopt",
    "getsockopt",
};

/*
 * Refused with EPERM rather than the default ENOSYS, so that a tool sees a clear "not permitted":
 * another process's memory; kernel keyrings (not namespaced); mounts, including the new mount API;
 * namespace changes; kernel modules, kexec, swap, reboot; bpf, perf, userfaultfd; file handles
 * (open_by_handle_at walks around the mount tree); host-wide accounting and logs; io_uring, whose
 * submissions (IORING_OP_SOCKET, ...) bypass every rule on the syscalls they stand for.
 */
static const char *const REFUSED[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key", "request_key",
    "mount", "umount2", "pivot_root", "chroot", "setns", "fsopen", "fsconfig", "fsmount",
    "move_mount", "open_tree", "fspick", "mount_setattr", "swapon", "swapoff", "reboot",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
    "perf_event_open", "userfaultfd", "open_by_handle_at", "name_to_handle_at", "acct",
    "quotactl", "syslog", "fanotify_init", "io_uring_setup", "io_uring_enter",
    "io_uring_register",
};

/* The namespace flags of clone(2) and unshare(2). CLONE_NEWTIME (0x80) is part of clone's exit
 * signal byte, so it is checked for unshare only. */
#define NS_FLAGS                                                                          \
  (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
   CLONE_NEWNET)

/* The kernel reads these arguments as int: compare the low 32 bits only, or a caller could set
 * bit 32 and slip past an equality test. */
#define LOW32 0xFFFFFFFFu

static void add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned count,
                     const struct scmp_arg_cmp *cmp) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return; /* unknown to this libseccomp: left at the default */
  int rc = seccomp_rule_add_array(ctx, action, nr, count, cmp);
  if (rc < 0) {
    errno = -rc;
    fprintf(stderr, "qr-sandbox-exec: seccomp rule %s: %s\n", name, strerror(errno));
    _exit(FAIL_CODE);
  }
}

static void add_masked(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned arg,
                       uint64_t mask, uint64_t value) {
  struct scmp_arg_cmp cmp = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, mask, value);
  add_rule(ctx, action, name, 1, &cmp);
}

/*
 * Allows syscall `name` for every low-32-bit value of argument `arg` except the `n` values in
 * `except`, which get `refusal`. libseccomp cannot say "not equal under a mask", so the complement
 * is written as disjoint prefix rules: walking the bits from the top, every subtree that holds no
 * excluded value is allowed with one MASKED_EQ on its prefix. Disjoint rules make the result
 * independent of the order libseccomp tests them in.
 */
static void allow_except(scmp_filter_ctx ctx, const char *name, unsigned arg, uint32_t refusal,
                         const uint32_t *except, size_t n, int bit, uint32_t prefix) {
  uint32_t mask = bit == 31 ? 0 : ~((1u << (bit + 1)) - 1); /* bits above `bit` */
  for (uint32_t b = 0; b <= 1; b++) {
    uint32_t p = prefix | (b << bit);
    uint32_t m = mask | (1u << bit);
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) hits += (except[i] & m) == p;
    if (hits == 0) {
      add_masked(ctx, SCMP_ACT_ALLOW, name, arg, m, p);
    } else if (bit == 0) {
      add_masked(ctx, refusal, name, arg, LOW32, p);
    } else {
      allow_except(ctx, name, arg, refusal, except, n, bit - 1, p);
    }
  }
}

/* Copies bytes both ways between two sockets until both directions are shut, then returns. */
static void relay(int a, int b) {
  char buf[16384];
  int open_ab = 1, open_ba = 1;
  while (open_ab || open_ba) {
    struct pollfd p[2] = {{a, open_ab ? POLLIN : 0, 0}, {b, open_ba ? POLLIN : 0, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int d = 0; d < 2; d++) {
      int from = d == 0 ? a : b, to = d == 0 ? b : a;
      int *open_dir = d == 0 ? &open_ab : &open_ba;
      if (!*open_dir || !(p[d].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(from, buf, sizeof buf);
      if (n <= 0) {
        *open_dir = 0;
        shutdown(to, SHUT_WR);
        if (n < 0) return;
        continue;
      }
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w <= 0) return;
        off += w;
      }
    }
  }
}

/* The bridge: accepts on the sandbox's 127.0.0.1:EGRESS_PORT, one child per connection, each
 * connected to the proxy's UNIX socket. Never returns. A connection the proxy does not answer is
 * closed: nothing is ever sent anywhere but to the proxy. */
static void bridge(int listener, const char *socket_path) {
  signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
  struct sockaddr_un ua = {0};
  ua.sun_family = AF_UNIX;
  strncpy(ua.sun_path, socket_path, sizeof ua.sun_path - 1);
  for (;;) {
    int c = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      _exit(FAIL_CODE);
    }
    pid_t pid = fork();
    if (pid == 0) {
      close(listener);
      int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (u >= 0 && connect(u, (struct sockaddr *)&ua, sizeof ua) == 0) relay(c, u);
      _exit(0);
    }
    close(c);
  }
}

/* Gives the process a new network namespace with only a live loopback, listens there on
 * 127.0.0.1:EGRESS_PORT and forks the bridge (dropped to uid/gid, dying with its parent). */
static void start_egress(const char *socket_path, long uid, long gid) {
  if (strlen(socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
    usage("--egress-socket path too long");
  if (unshare(CLONE_NEWNET) < 0) die("unshare(CLONE_NEWNET)");
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die("socket");
  struct ifreq ifr = {0};
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die("SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die("SIOCSIFFLAGS lo");
  close(s);
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l < 0) die("socket");
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(EGRESS_PORT);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l, (struct sockaddr *)&a, sizeof a) < 0) die("bind 127.0.0.1:3128");
  if (listen(l, 128) < 0) die("listen");
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) _exit(FAIL_CODE);
    for (int fd = 0; fd <= 2; fd++)
      if (dup2(null, fd) != fd) _exit(FAIL_CODE);
    int high = fcntl(l, F_DUPFD_CLOEXEC, 3);
    if (high < 0 || dup2(high, 3) != 3) _exit(FAIL_CODE);
    if (syscall(SYS_close_range, 4, ~0U, 0) < 0) _exit(FAIL_CODE);
    if (setgroups(0, NULL) < 0 || setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0 ||
        setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
      _exit(FAIL_CODE);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) _exit(FAIL_CODE);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) _exit(FAIL_CODE);
    if (getppid() != parent) _exit(FAIL_CODE);
    bridge(3, socket_path);
  }
  close(l);
}

/* Returns a memfd holding the exported classic-BPF program. */
static int build_seccomp(int network_off) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
  if (!ctx) die("seccomp_init");
  /* Only native x86_64 calls: an int 0x80 (i386) or x32 (nr | 0x40000000) syscall kills the
   * whole process with SIGSYS before the kernel acts on it. */
  if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0) die("badarch");
  /* A binary tree over the syscall numbers instead of a linear list of ~250 compares. */
  if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) die("optimize");
  for (size_t i = 0; i < sizeof ALLOWED / sizeof ALLOWED[0]; i++)
    add_rule(ctx, SCMP_ACT_ALLOW, ALLOWED[i], 0, NULL);
  for (size_t i = 0; i < sizeof REFUSED / sizeof REFUSED[0]; i++)
    add_rule(ctx, SCMP_ACT_ERRNO(EPERM), REFUSED[i], 0, NULL);
  /* clone3 is not allowed: it hides its flags in memory, so it answers the default ENOSYS and
   * libc falls back to clone(2), whose flags the filter can see. */
  /* clone and unshare without namespace flags only (clone's flags are read as 32 bits, unshare's
   * as 64: the flags all live in the low 32). One EPERM rule per flag, so the rules are disjoint
   * from the allow rule. */
  add_masked(ctx, SCMP_ACT_ALLOW, "clone", 0, NS_FLAGS, 0);
  add_masked(ctx, SCMP_ACT_ALLOW, "unshare", 0, NS_FLAGS | CLONE_NEWTIME, 0);
  for (int b = 0; b < 32; b++) {
    uint64_t flag = 1ull << b;
    if (flag & NS_FLAGS) add_masked(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 0, flag, flag);
    if (flag & (NS_FLAGS | CLONE_NEWTIME))
      add_masked(ctx, SCMP_ACT_ERRNO(EPERM), "unshare", 0, flag, flag);
  }
  /* ioctl: everything but terminal injection (pushing bytes into another reader's input). */
  static const uint32_t tty_inject[] = {TIOCSTI, TIOCLINUX};
  allow_except(ctx, "ioctl", 1, SCMP_ACT_ERRNO(EPERM), tty_inject, 2, 31, 0);
  /* personality: the values glibc, setarch and uname26 ask for; not ADDR_NO_RANDOMIZE & co. */
  static const uint32_t personas[] = {0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFFu};
  for (size_t i = 0; i < sizeof personas / sizeof personas[0]; i++)
    add_masked(ctx, SCMP_ACT_ALLOW, "personality", 0, LOW32, personas[i]);
  /* Sockets: with the network off only AF_UNIX; otherwise also INET, INET6 and NETLINK (glibc's
   * getaddrinfo asks netlink for interface addresses). Every other family below 64 answers
   * EAFNOSUPPORT (AF_VSOCK, AF_PACKET, AF_ALG, AF_KEY, AF_BLUETOOTH, ...), any larger one ENOSYS.
   * socketpair only ever works for AF_UNIX. */
  for (uint32_t family = 0; family < 64; family++) {
    int ok = family == AF_UNIX ||
             (!network_off && (family == AF_INET || family == AF_INET6 || family == AF_NETLINK));
    add_masked(ctx, ok ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EAFNOSUPPORT), "socket", 0, LOW32,
               family);
    add_masked(ctx, family == AF_UNIX ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EAFNOSUPPORT),
               "socketpair", 0, LOW32, family);
  }
  int fd = memfd_create("qr-seccomp", 0);
  if (fd < 0) die("memfd_create");
  if (seccomp_export_bpf(ctx, fd) < 0) die("seccomp_export_bpf");
  if (lseek(fd, 0, SEEK_SET) < 0) die("lseek");
  seccomp_release(ctx);
  return fd;
}

/* Opens a classic-BPF program exported earlier by --export-seccomp. It must be a regular file
 * owned by root (the runner's euid) that no one else can write, and whole sock_filter
 * instructions (8 bytes each, at most BPF_MAXINSNS = 4096 of them): anything else is refused, never
 * replaced by a filter built here, so a tampered or truncated file cannot weaken a run silently.
 * (The kernel validates the program itself when bubblewrap loads it.) */
static int open_seccomp(const char *path) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) die(path);
  struct stat st;
  if (fstat(fd, &st) < 0) die(path);
  if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) || st.st_size <= 0 ||
      st.st_size % 8 != 0 || st.st_size > 4096 * 8) {
    errno = 0;
    die("--seccomp-bpf: not a root-owned, private, whole classic-BPF program");
  }
  return fd;
}

int main(int argc, char **argv) {
  const char *cgroups[MAX_ITEMS];
  int ncgroups = 0;
  int rl_res[MAX_ITEMS];
  long rl_soft[MAX_ITEMS];
  long rl_hard[MAX_ITEMS];
  int nrl = 0;
  long uid = -1, gid = -1;
  int network_off = 1;
  const char *status_file = NULL;
  const char *egress_socket = NULL;
  const char *seccomp_bpf = NULL;
  /* qr-sandbox-exec --export-seccomp none|loopback: write the filter's classic BPF to stdout and
   * exit (what the unit tests evaluate; nothing is installed). */
  if (argc == 3 && !strcmp(argv[1], "--export-seccomp")) {
    int fd = build_seccomp(strcmp(argv[2], "none") == 0);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
      if (write(1, buf, (size_t)n) != n) die("write");
    if (n < 0) die("read");
    return 0;
  }
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (i + 1 >= argc) usage("option needs a value");
    const char *v = argv[++i];
    if (!strcmp(a, "--cgroup")) {
      if (ncgroups == MAX_ITEMS) usage("too many cgroups");
      cgroups[ncgroups++] = v;
    } else if (!strcmp(a, "--rlimit")) {
      if (nrl == MAX_ITEMS) usage("too many rlimits");
      const char *eq = strchr(v, '=');
      if (!eq) usage("--rlimit wants NAME=VALUE");
      char name[32];
      size_t n = (size_t)(eq - v);
      if (n >= sizeof name) usage("rlimit name too long");
      memcpy(name, v, n);
      name[n] = '\0';
      rl_res[nrl] = rlimit_resource(name);
      char value[64];
      if (strlen(eq + 1) >= sizeof value) usage("rlimit value too long");
      strcpy(value, eq + 1);
      char *colon = strchr(value, ':');
      if (colon) *colon = '\0';
      rl_soft[nrl] = parse_long(value, "bad rlimit value");
      rl_hard[nrl] = colon ? parse_long(colon + 1, "bad rlimit hard value") : rl_soft[nrl];
      if (rl_hard[nrl] < rl_soft[nrl]) usage("rlimit hard below soft");
      nrl++;
    } else if (!strcmp(a, "--uid")) {
      uid = parse_long(v, "bad --uid");
    } else if (!strcmp(a, "--gid")) {
      gid = parse_long(v, "bad --gid");
    } else if (!strcmp(a, "--network")) {
      if (!strcmp(v, "none")) network_off = 1;
      else if (!strcmp(v, "loopback") || !strcmp(v, "host")) network_off = 0;
      else usage("bad --network");
    } else if (!strcmp(a, "--status-file")) {
      status_file = v;
    } else if (!strcmp(a, "--egress-socket")) {
      egress_socket = v;
    } else if (!strcmp(a, "--seccomp-bpf")) {
      seccomp_bpf = v;
    } else {
      usage("unknown option");
    }
  }
  if (i >= argc) usage("missing -- BWRAP [ARG]...");
  if (uid <= 0 || gid <= 0) usage("--uid and --gid must name a non-root id");
  if (egress_socket && network_off) usage("--egress-socket needs --network loopback");

  pid_t parent = getppid();
  for (int c = 0; c < ncgroups; c++) join_cgroup(cgroups[c]);
  for (int r = 0; r < nrl; r++) {
    struct rlimit lim = {(rlim_t)rl_soft[r], (rlim_t)rl_hard[r]};
    if (setrlimit(rl_res[r], &lim) < 0) die("setrlimit");
  }
  int seccomp_fd = seccomp_bpf ? open_seccomp(seccomp_bpf) : build_seccomp(network_off);
  if (egress_socket) start_egress(egress_socket, uid, gid);
  int status_fd = -1;
  if (status_file) {
    status_fd = open(status_file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (status_fd < 0) die(status_file);
  }
  /* Keep 0-2, the seccomp memfd (as fd 3) and the status file (as fd 4); close everything else
   * the JVM had open. dup2 clears close-on-exec on the new descriptor. */
  int high_seccomp = fcntl(seccomp_fd, F_DUPFD_CLOEXEC, 512);
  int high_status = status_fd >= 0 ? fcntl(status_fd, F_DUPFD_CLOEXEC, 512) : -1;
  if (high_seccomp < 0 || (status_fd >= 0 && high_status < 0)) die("F_DUPFD");
  if (dup2(high_seccomp, 3) != 3) die("dup2 seccomp");
  seccomp_fd = 3;
  if (status_fd >= 0) {
    if (dup2(high_status, 4) != 4) die("dup2 status");
    status_fd = 4;
  }
  if (syscall(SYS_close_range, status_fd >= 0 ? 5 : 4, ~0U, 0) < 0) die("close_range");

  if (setgroups(0, NULL) < 0) die("setgroups");
  if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0) die("setresgid");
  if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) die("setresuid");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("no_new_privs");
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die("pdeathsig");
  if (getppid() != parent) _exit(FAIL_CODE); /* the runner died while we were setting up */

  /* argv for bwrap: BWRAP --seccomp FD [--json-status-fd FD] ARGS... */
  int rest = argc - i;
  char **args = calloc((size_t)rest + 6, sizeof *args);
  if (!args) die("calloc");
  char seccomp_num[16], status_num[16];
  snprintf(seccomp_num, sizeof seccomp_num, "%d", seccomp_fd);
  snprintf(status_num, sizeof status_num, "%d", status_fd);
  int k = 0;
  args[k++] = argv[i];
  args[k++] = "--seccomp";
  args[k++] = seccomp_num;
  if (status_fd >= 0) {
    args[k++] = "--json-status-fd";
    args[k++] = status_num;
  }
  for (int j = i + 1; j < argc; j++) args[k++] = argv[j];
  args[k] = NULL;
  char *empty_env[] = {NULL};
  execve(argv[i], args, empty_env);
  die(argv[i]);
  return FAIL_CODE;
}
