package io.quackrunner.store;

/**
 * A row of the append-only {@code node_keys} table: a public key some node signed receipts with.
 *
 * @param publicKey the Ed25519 public key, base64
 * @param keyId its key id ({@code name+hex(keyhash)})
 * @param nodeId the node that first registered it
 * @param firstSeenMs when it was first registered, epoch milliseconds of the database's clock
 */
public record NodeKey(String publicKey, String keyId, String nodeId, long firstSeenMs) {}
