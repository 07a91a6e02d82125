package io.quackrunner.sandbox;

/**
 * What the kernel counted for one run in its cgroup.
 *
 * @param peakMemoryBytes highest memory use, tmpfs pages included (v1 {@code
 *     memory.max_usage_in_bytes}, v2 {@code memory.peak})
 * @param cpuTimeNanos user + system CPU time of every process of the run
 * @param oomKills processes the OOM killer killed (v1 {@code memory.oom_control oom_kill}, v2
 *     {@code memory.events oom_kill}); not {@code failcnt}, which counts reclaim too
 * @param pidsMaxEvents forks refused because {@code pids.max} was reached
 */
public record CgroupUsage(
    long peakMemoryBytes, long cpuTimeNanos, long oomKills, long pidsMaxEvents) {}
