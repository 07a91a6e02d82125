package io.quackrunner.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.quackrunner.callbacks.CallbackDispatcher;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.service.RunEvents;
import io.quackrunner.service.RunService;
import io.quackrunner.store.CallbackState;
import io.quackrunner.store.RunRecord;
import java.time.Duration;

/**
 * The server's Prometheus metrics: {@code quackrunner_runs_total{status}}, {@code
 * quackrunner_queue_depth}, {@code quackrunner_runs_running}, {@code
 * quackrunner_run_duration_seconds}, {@code quackrunner_sandbox_overhead_seconds}, {@code
 * quackrunner_callback_attempts_total{outcome}} (delivered, failed, gave_up) and {@code
 * quackrunner_callbacks{state}} (PENDING, DELIVERED, FAILED in the outbox).
 */
final class Metrics implements RunEvents, CallbackDispatcher.Listener {
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
    for (CallbackState cs : CallbackState.values()) {
      Gauge.builder("quackrunner.callbacks", service, x -> x.store().callbacks().count(cs))
          .description("Receipt callbacks in the outbox, by state")
          .tag("state", cs.name())
          .register(registry);
    }
    for (String o : new String[] {"delivered", "failed", "gave_up"}) {
      attempts(o);
    }
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

  private Counter attempts(String outcome) {
    return Counter.builder("quackrunner.callback.attempts")
        .description("Receipt callback attempts by outcome (gave_up: the last, failed, attempt)")
        .tag("outcome", outcome)
        .register(registry);
  }

  @Override
  public void attempted(String runId, int attempts, int status, String error, boolean gaveUp) {
    attempts(error == null ? "delivered" : gaveUp ? "gave_up" : "failed").increment();
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
