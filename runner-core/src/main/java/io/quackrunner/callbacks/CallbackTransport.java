package io.quackrunner.callbacks;

/**
 * Sends one callback: an HTTP POST of a receipt envelope to a {@link CallbackTarget}, connecting to
 * its pinned address, following no redirect, within bounded connect and read timeouts, and keeping
 * no part of the response body.
 */
public interface CallbackTransport extends AutoCloseable {
  /** The media type of the body, a DSSE v1 envelope as JSON. */
  String MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

  /**
   * What one attempt got.
   *
   * @param status the HTTP status, or 0 when no response arrived
   * @param error one line on why the attempt did not deliver (never the response body), or null
   *     when it delivered (a 2xx status)
   */
  record Attempt(int status, String error) {
    /** Returns whether the receiver accepted the envelope (a 2xx status). */
    public boolean delivered() {
      return error == null;
    }
  }

  /**
   * POSTs {@code envelope} with {@code Content-Type: } {@value #MEDIA_TYPE} and {@code
   * Idempotency-Key: "<executionId>"} (an RFC 8941 string,
   * draft-ietf-httpapi-idempotency-key-header).
   *
   * @param timeouts the connect and read timeouts
   */
  Attempt post(
      CallbackTarget target, byte[] envelope, String executionId, CallbackPolicy.Timeouts timeouts);

  @Override
  default void close() {}
}
