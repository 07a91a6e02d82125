package io.quackrunner.service;

/**
 * A signed receipt appended to the ledger.
 *
 * @param envelopeJson the DSSE envelope (DSSE v1.0.2) as JSON
 * @param ledgerIndex the receipt's leaf index in the ledger (RFC 9162), from 0
 */
public record IssuedReceipt(String envelopeJson, long ledgerIndex) {}
