/*
 * qr-sandbox-exec: the step between the JVM and bubblewrap that Java cannot do itself.
 *
 * Between fork and exec it (in this order):
 *   1. joins each cgroup given with --cgroup DIR (writes "0" to DIR/cgroup.procs), so every
 *      process of the sandbox is counted and killable from its first instruction;
 *   2. sets the rlimits given with --rlimit NAME=SOFT[:HARD] (hard defaults to soft);
 *   3. builds a seccomp filter with libseccomp and exports it as classic BPF into a memfd that
 *      bubblewrap loads with --seccomp FD (the approach Flatpak uses);
 *   4. opens --status-file for bubblewrap's --json-status-fd;
 *   5. closes every other descriptor above 2;
 *   6. drops to the dedicated sandbox uid/gid with no supplementary groups and no capabilities,
 *      sets no_new_privs and a SIGKILL parent-death signal (re-armed after the uid change, which
 *      clears it);
 *   7. execs bubblewrap with an EMPTY environment (bwrap's own /proc/1/environ stays empty).
 *
 * Usage: qr-sandbox-exec [--cgroup DIR]... [--rlimit NAME=SOFT[:HARD]]... --uid N --gid N
 *                        [--network none|loopback|host] [--status-file PATH] -- BWRAP [ARG]...
 * Exit code 125 with one line on stderr when anything here fails; bubblewrap is never started
 * half-configured.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
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
#include <sys/syscall.h>
#include <unistd.h>

#define FAIL_CODE 125
#define MAX_ITEMS 16

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

#define DENY(call) \
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(call), 0) < 0) die("seccomp rule " #call)

/* Returns a memfd holding the exported classic-BPF program. */
static int build_seccomp(int network_off) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) die("seccomp_init");
  /* Another process's memory or registers. */
  DENY(ptrace);
  DENY(process_vm_readv);
  DENY(process_vm_writev);
  /* Kernel keyrings are not namespaced. */
  DENY(keyctl);
  DENY(add_key);
  DENY(request_key);
  /* Mount and namespace juggling, kernel modules, and other host-wide switches. */
  DENY(mount);
  DENY(umount2);
  DENY(pivot_root);
  DENY(chroot);
  DENY(setns);
  DENY(swapon);
  DENY(swapoff);
  DENY(reboot);
  DENY(kexec_load);
  DENY(kexec_file_load);
  DENY(init_module);
  DENY(finit_module);
  DENY(delete_module);
  DENY(bpf);
  DENY(perf_event_open);
  DENY(userfaultfd);
  DENY(open_by_handle_at);
  DENY(name_to_handle_at);
  DENY(acct);
  DENY(quotactl);
  DENY(syslog);
  DENY(fanotify_init);
  /* New user namespaces: via unshare(2) and clone(2) flags. clone3 hides its flags in memory,
   * so it answers ENOSYS and libc falls back to clone(2), which the filter can inspect. */
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER)) < 0)
    die("seccomp rule unshare");
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER)) < 0)
    die("seccomp rule clone");
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0) die("seccomp rule clone3");
  /* Terminal injection: pushing bytes into another reader's input queue. */
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCSTI)) < 0)
    die("seccomp rule TIOCSTI");
  if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCLINUX)) < 0)
    die("seccomp rule TIOCLINUX");
  /* Sockets: with the network off only AF_UNIX; otherwise UNIX, INET, INET6 and NETLINK
   * (glibc's getaddrinfo asks netlink for interface addresses). Everything else, e.g. AF_PACKET,
   * is refused. */
  if (network_off) {
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                         SCMP_A0(SCMP_CMP_NE, AF_UNIX)) < 0)
      die("seccomp rule socket");
  } else {
    static const int allowed[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
    for (int family = 0; family < AF_MAX; family++) {
      int ok = 0;
      for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) ok |= family == allowed[i];
      if (!ok && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                                  SCMP_A0(SCMP_CMP_EQ, family)) < 0)
        die("seccomp rule socket family");
    }
  }
  int fd = memfd_create("qr-seccomp", 0);
  if (fd < 0) die("memfd_create");
  if (seccomp_export_bpf(ctx, fd) < 0) die("seccomp_export_bpf");
  if (lseek(fd, 0, SEEK_SET) < 0) die("lseek");
  seccomp_release(ctx);
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
    } else {
      usage("unknown option");
    }
  }
  if (i >= argc) usage("missing -- BWRAP [ARG]...");
  if (uid <= 0 || gid <= 0) usage("--uid and --gid must name a non-root id");

  pid_t parent = getppid();
  for (int c = 0; c < ncgroups; c++) join_cgroup(cgroups[c]);
  for (int r = 0; r < nrl; r++) {
    struct rlimit lim = {(rlim_t)rl_soft[r], (rlim_t)rl_hard[r]};
    if (setrlimit(rl_res[r], &lim) < 0) die("setrlimit");
  }
  int seccomp_fd = build_seccomp(network_off);
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
