package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.receipts.TriggerHashes;
import io.quackrunner.store.Claim;
import io.quackrunner.store.RunRecord;
import io.quackrunner.store.RunStore;
import io.quackrunner.triggers.InvalidTrigger;
import io.quackrunner.triggers.SignedTrigger;
import io.quackrunner.triggers.TriggerPolicy;
import io.quackrunner.triggers.TriggerVerifier;
import io.quackrunner.triggers.VerifiedTrigger;
import java.time.Instant;

/**
 * The one trigger path of every run of {@link RunService}, registered tool or raw command ({@link
 * CommandTool}): checks a request's key or signed trigger against its tenant's {@link
 * TriggerPolicy}, leaves a REJECTED record for a refused one, names the trigger hash, and claims it
 * in the {@link RunStore} so one trigger executes at most once; a repeated trigger gets the earlier
 * run back ({@link #earlier}, {@link #claim}) after {@link #reuse} checked it is the same tenant's
 * same request.
 */
final class TriggerGate {
  private TriggerGate() {}

  /**
   * A request's trigger, checked.
   *
   * @param hash the {@code trigger_hash} the run is claimed under
   * @param verified the verified signed trigger, or null for a key or a fresh trigger
   * @param signed the signed trigger as sent, or null
   */
  record Checked(String hash, VerifiedTrigger verified, SignedTrigger signed) {
    /** Returns a queued record holding this trigger (and the verified trigger's JSON). */
    RunRecord onto(RunRecord queued) {
      return verified == null ? queued : queued.withTrigger(TriggerRecords.json(verified, signed));
    }
  }

  /**
   * Checks the key or signed trigger of a request.
   *
   * @param record makes the request's queued record for a trigger hash (with a new execution id); a
   *     refused trigger's is kept as REJECTED under {@link TriggerHashes#rejected()}
   * @throws RunnerException of kind INVALID_TRIGGER for a malformed key, USAGE for both a key and a
   *     trigger, {@link InvalidTrigger} (its REJECTED run named) for a refused trigger
   */
  static Checked check(
      RunStore store,
      TriggerPolicy policy,
      String tenant,
      String key,
      SignedTrigger trigger,
      TriggerVerifier.Bound bound,
      java.util.function.Function<String, RunRecord> record,
      java.util.function.BiConsumer<RunRecord, InvalidTrigger> onRejected) {
    if (key != null && (key.isEmpty() || key.length() > 256 || !key.matches("[\\x21-\\x7e]+"))) {
      throw new RunnerException(
          ErrorKind.INVALID_TRIGGER, "idempotency_key must be 1 to 256 printable ASCII characters");
    }
    if (key != null && trigger != null) {
      throw new RunnerException(
          ErrorKind.USAGE, "give an idempotency key or a signed trigger, not both");
    }
    VerifiedTrigger v;
    try {
      v = TriggerVerifier.verify(policy.rules(tenant), trigger, bound, Instant.now());
    } catch (InvalidTrigger e) {
      RunRecord r =
          record
              .apply(TriggerHashes.rejected())
              .rejected(Instant.now(), ErrorKind.INVALID_TRIGGER, e.getMessage());
      store.claim(r);
      onRejected.accept(r, e);
      throw e.withRun(r.id());
    }
    String hash =
        v != null
            ? TriggerHashes.LINK + v.linkHash()
            : key != null ? TriggerHashes.ofKey(tenant, key) : TriggerHashes.fresh();
    return new Checked(hash, v, trigger);
  }

  /**
   * Returns the run already holding a trigger, checked by {@link #reuse}, if there is one: the
   * idempotent replay of a repeated key or link.
   */
  static java.util.Optional<RunRecord> earlier(
      RunStore store, String triggerHash, String tenant, String requestHash) {
    return store.findByTrigger(triggerHash).map(r -> reuse(r, tenant, requestHash).record());
  }

  /**
   * Claims a queued record's trigger: a unique row in the store, so of all the processes sharing it
   * exactly one creates the run; a lost claim returns the winner's run, checked by {@link #reuse}.
   *
   * @param callback the run's callback, stored with it in one transaction, or null
   */
  static Claim claim(
      RunStore store,
      RunRecord fresh,
      io.quackrunner.store.CallbackRecord callback,
      String tenant,
      String requestHash) {
    Claim c = store.claim(fresh, callback);
    return c.created() ? c : reuse(c.record(), tenant, requestHash);
  }

  /**
   * Returns the earlier run of the same trigger to a caller, or refuses: another tenant's link is a
   * CONFLICT, the same key for another request is {@link IdempotencyKeyReused}.
   */
  static Claim reuse(RunRecord earlier, String tenant, String requestHash) {
    if (!earlier.tenant().equals(tenant)) {
      throw new RunnerException(
          ErrorKind.CONFLICT,
          "this trigger link already caused a run of another tenant; nothing was executed");
    }
    if (!earlier.requestHash().equals(requestHash)) {
      throw new IdempotencyKeyReused(earlier.id());
    }
    return new Claim(earlier, false);
  }
}
