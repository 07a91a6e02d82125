package io.quackrunner.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.service.RunEvents;
import io.quackrunner.service.RunService;
import io.quackrunner.store.RunRecord;
import java.time.Duration;

/**
 * The server's Prometheus metrics: {@code quackrunner_runs_total{status}}, {@code
 * quackrunner_queue_depth}, {@code quackrunner_runs_running}, {@code
 * quackrunner_run_duration_seconds} and {@code quackrunner_sandbox_overhead_seconds}.
 */
final class Metrics implements RunEvents {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer duration;
  private final Timer overhead;

  Metrics(RunService service) {
    for (RunStatus s : RunStatus.values()) {
      if (s.isTerminal()) {
        counter(s);
      }
    }
    Gauge.builder("quackrunner.queue.depth", service, RunService::queueDepth)
        .description("Runs accepted and waiting to start")
        .register(registry);
    Gauge.builder("quackrunner.runs.running", service, RunService::running)
        .description("Runs executing now")
        .register(registry);
    duration =
        Timer.builder("quackrunner.run.duration")
            .description("Wall time of runs in the sandbox")
            .register(registry);
    overhead =
        Timer.builder("quackrunner.sandbox.overhead")
            .description("Runner time around each sandbox: workspace, inputs, collection")
            .register(registry);
  }

  private Counter counter(RunStatus s) {
    return Counter.builder("quackrunner.runs")
        .description("Runs that reached a terminal status")
        .tag("status", s.name())
        .register(registry);
  }

  @Override
  public void finished(RunRecord r) {
    counter(r.status()).increment();
  }

  @Override
  public void executed(long wallTimeMs, long overheadMs) {
    duration.record(Duration.ofMillis(wallTimeMs));
    overhead.record(Duration.ofMillis(overheadMs));
  }

  String scrape() {
    return registry.scrape();
  }
}
