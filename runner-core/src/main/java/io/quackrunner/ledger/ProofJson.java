package io.quackrunner.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;

/** Writes and strictly reads proof records; byte arrays are standard padded base64 strings. */
final class ProofJson {
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  private ProofJson() {}

  static String write(Object proof) {
    try {
      return MAPPER.writeValueAsString(proof);
    } catch (JsonProcessingException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot write proof", e);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      String line = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
      throw new RunnerException(ErrorKind.VERIFICATION_FAILED, "bad proof JSON: " + line, e);
    }
  }
}
