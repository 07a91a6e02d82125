package io.quackrunner.store;

/**
 * The answer to a claim on a trigger: the record now holding it, and whether this caller created
 * it.
 *
 * @param record the run that owns the trigger
 * @param created true when this claim inserted the record, false when another claim had it first
 */
public record Claim(RunRecord record, boolean created) {}
