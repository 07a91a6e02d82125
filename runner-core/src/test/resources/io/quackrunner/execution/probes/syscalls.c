/*
 * Probe for AttackIT: makes syscalls the sandbox's seccomp filter refuses and prints one line per
 * call, "NAME RC ERRNO" (RC 0 = succeeded). It never connects a socket anywhere: creating one and
 * closing it is the whole test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static void report(const char *name, long rc) {
  printf("%s %ld %d\n", name, rc < 0 ? -1L : 0L, rc < 0 ? errno : 0);
  fflush(stdout);
}

static void try_socket(const char *label, int family, int type) {
  char name[64];
  for (int high = 0; high <= 1; high++) {
    /* The kernel reads the family as an int: bit 32 must not change the filter's decision. */
    long arg = (long)(unsigned)family | (high ? 1L << 32 : 0);
    errno = 0;
    long fd = syscall(SYS_socket, arg, type, 0);
    snprintf(name, sizeof name, "socket-%s%s", label, high ? "-bit32" : "");
    report(name, fd);
    if (fd >= 0) close((int)fd);
  }
}

int main(void) {
  struct io_uring_params params;
  memset(&params, 0, sizeof params);
  errno = 0;
  long ring = syscall(SYS_io_uring_setup, 4, &params);
  report("io_uring_setup", ring);
  if (ring >= 0) close((int)ring);
  errno = 0;
  report("io_uring_enter", syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0));
  errno = 0;
  report("io_uring_register", syscall(SYS_io_uring_register, -1, 0, NULL, 0));

  try_socket("vsock", AF_VSOCK, SOCK_STREAM);
  try_socket("packet", AF_PACKET, SOCK_DGRAM);
  try_socket("alg", AF_ALG, SOCK_SEQPACKET);
  try_socket("key", AF_KEY, SOCK_RAW);
  try_socket("bluetooth", AF_BLUETOOTH, SOCK_STREAM);
  try_socket("inet", AF_INET, SOCK_STREAM);
  try_socket("inet6", AF_INET6, SOCK_STREAM);
  try_socket("netlink", AF_NETLINK, SOCK_RAW);
  try_socket("unix", AF_UNIX, SOCK_STREAM);
  errno = 0;
  int pair[2];
  long sp = syscall(SYS_socketpair, (long)AF_INET | 1L << 32, SOCK_STREAM, 0, pair);
  report("socketpair-inet-bit32", sp);

  /* The new mount API. */
  errno = 0;
  report("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
  errno = 0;
  report("open_tree", syscall(SYS_open_tree, -100, "/tmp", 1 /* OPEN_TREE_CLONE */));
  errno = 0;
  report("fspick", syscall(SYS_fspick, -100, "/tmp", 0));
  errno = 0;
  report("mount_setattr", syscall(SYS_mount_setattr, -100, "/tmp", 0, NULL, 0));
  errno = 0;
  report("unshare-newns", syscall(SYS_unshare, CLONE_NEWNS));

  /* Outside the allow-list: Linux AIO, which an unprivileged process may otherwise use. */
  unsigned long aio_ctx = 0;
  errno = 0;
  report("io_setup", syscall(SYS_io_setup, 1, &aio_ctx));
  errno = 0;
  report("kcmp", syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, 1, 1));
  printf("alive\n");
  return 0;
}
