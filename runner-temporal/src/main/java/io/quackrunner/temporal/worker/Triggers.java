package io.quackrunner.temporal.worker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Derives the idempotency key of a Temporal-started run from the activity's identity: stable across
 * the activity's retries (the attempt number is not part of it), distinct for every workflow
 * execution and activity.
 *
 * <p>The key is {@code temporal-v1:} followed by the lower-case hex SHA-256 of the namespace,
 * workflow id, workflow run id and activity id, each written as its UTF-8 byte length in decimal,
 * {@code ':'}, its bytes and {@code '\n'} (so no two tuples share an encoding). The run's trigger
 * hash is then derived from the tenant and this key by RunService, as for any keyed request.
 */
final class Triggers {
  static final String PREFIX = "temporal-v1:";

  private Triggers() {}

  /** Returns the idempotency key of the activity {@code activityId} of one workflow execution. */
  static String key(String namespace, String workflowId, String runId, String activityId) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (String field : new String[] {namespace, workflowId, runId, activityId}) {
      byte[] b = field.getBytes(StandardCharsets.UTF_8);
      md.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
      md.update(b);
      md.update((byte) '\n');
    }
    return PREFIX + HexFormat.of().formatHex(md.digest());
  }
}
