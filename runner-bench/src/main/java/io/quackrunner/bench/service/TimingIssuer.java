package io.quackrunner.bench.service;

import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.service.IssuedReceipt;
import io.quackrunner.service.ReceiptIssuer;
import io.quackrunner.service.RunEvents;
import io.quackrunner.store.RunRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times the service-level phases of each run of an in-process server: admit (through {@link
 * RunEvents#admitted}), the engine's phases ({@link ExecutionResult#phases()}), and the receipt
 * issue around the real {@link ReceiptIssuer} (build the predicate, sign, append durably); the
 * signature alone is re-timed on the same payload with the same key, so append = issue - sign.
 */
final class TimingIssuer implements ReceiptIssuer, RunEvents {
  /** What was seen of one run, in {@link System#nanoTime()} instants and durations. */
  static final class Seen {
    volatile long admitEnd;
    volatile long admitNanos;
    volatile long issueStart;
    volatile long issueEnd;
    volatile long signNanos;
    volatile Map<String, Long> phases = Map.of();
  }

  final Map<String, Seen> runs = new ConcurrentHashMap<>();
  private final ReceiptIssuer delegate;
  private final ReceiptLog log;

  TimingIssuer(ReceiptIssuer delegate, ReceiptLog log) {
    this.delegate = delegate;
    this.log = log;
  }

  Seen seen(String id) {
    return runs.computeIfAbsent(id, k -> new Seen());
  }

  @Override
  public void admitted(String runId, long admitNanos) {
    Seen s = seen(runId);
    s.admitEnd = System.nanoTime();
    s.admitNanos = admitNanos;
  }

  @Override
  public IssuedReceipt issue(RunRecord record, ExecutionResult result) {
    Seen s = seen(record.id());
    if (result != null) {
      s.phases = result.phases().asMap();
    }
    s.issueStart = System.nanoTime();
    IssuedReceipt r = delegate.issue(record, result);
    s.issueEnd = System.nanoTime();
    byte[] payload = Dsse.parse(r.envelopeJson().getBytes(StandardCharsets.UTF_8)).payload();
    long t0 = System.nanoTime();
    Dsse.write(Dsse.sign(ReceiptStatement.PAYLOAD_TYPE, payload, log.keys().active()));
    s.signNanos = System.nanoTime() - t0;
    return r;
  }
}
