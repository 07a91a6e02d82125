/*
 * Probe for AttackIT: makes one write(2) through a foreign syscall ABI from a second thread and
 * reports from the main thread afterwards. Usage: foreign_arch i386|x32.
 *   i386: int 0x80 with eax=4 (write) — the 32-bit ABI every x86_64 kernel with IA32 emulation has;
 *   x32:  syscall with nr = 0x40000000 | 1 (write in the x32 table).
 * A filter that kills only the calling thread lets the main thread print "main-survived"; a filter
 * that kills the process prints nothing after "start". Build: gcc -static -pthread (the message
 * must sit below 4 GiB for int 0x80, which a static non-PIE binary guarantees).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char msg[] = "foreign-write-succeeded\n";
static long result;

static void *call(void *arg) {
  long rc;
  if (!strcmp((const char *)arg, "i386")) {
    __asm__ volatile("int $0x80"
                     : "=a"(rc)
                     : "a"(4L), "b"(1L), "c"((long)msg), "d"((long)(sizeof msg - 1))
                     : "r8", "r9", "r10", "r11", "memory");
  } else {
    __asm__ volatile("syscall"
                     : "=a"(rc)
                     : "a"(0x40000000L | 1L), "D"(1L), "S"(msg), "d"((long)(sizeof msg - 1))
                     : "rcx", "r11", "memory");
  }
  result = rc;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  printf("start\n");
  fflush(stdout);
  pthread_t t;
  if (pthread_create(&t, NULL, call, argv[1])) return 3;
  pthread_join(t, NULL);
  printf("main-survived rc=%ld\n", result);
  return 0;
}
