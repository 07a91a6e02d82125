package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two cgroup pools in one JVM (two services in one process, as the two-node tests run them) on the
 * host's slot locks: the second pool never takes, nor frees for other processes, a slot the first
 * holds. fcntl locks are per process and dropped when any descriptor of the file closes, so a pool
 * that merely tried a held slot's lock file would let another process lease that slot and empty it,
 * killing the run in it.
 */
class CgroupPoolIT {
  private static final Path LOCKS = SandboxConfig.standard(Path.of("/tmp")).lockDir();

  private static CgroupPool pool() {
    return CgroupPool.open(Path.of("/sys/fs/cgroup"), LOCKS, 64, true);
  }

  /** Whether another process can take the slot's lock now (python3's fcntl.lockf, non-blocking). */
  private static boolean freeForAnotherProcess(int slot) throws Exception {
    Process p =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl,sys\n"
                    + "f=open(sys.argv[1],'a')\n"
                    + "try:\n"
                    + "  fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB); print('free')\n"
                    + "except OSError: print('held')\n",
                LOCKS.resolve("slot-" + slot + ".lock").toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(out).isIn("free", "held");
    return out.equals("free");
  }

  @Test
  void aSecondPoolInThisJvmNeitherTakesNorFreesASlotTheFirstHolds() throws Exception {
    CgroupPool a = pool();
    CgroupPool b = pool();
    try (CgroupPool.Lease held = a.acquire(Duration.ofSeconds(10))) {
      int slot = held.slot().index();
      assertThat(freeForAnotherProcess(slot)).as("held by a").isFalse();
      // b tries every slot from 0 up, so it passes the held one on each acquire
      try (CgroupPool.Lease first = b.acquire(Duration.ofSeconds(10));
          CgroupPool.Lease second = b.acquire(Duration.ofSeconds(10))) {
        assertThat(first.slot().index()).isNotEqualTo(slot);
        assertThat(second.slot().index()).isNotEqualTo(slot).isNotEqualTo(first.slot().index());
      }
      assertThat(freeForAnotherProcess(slot)).as("still held by a after b's tries").isFalse();
    }
  }
}
