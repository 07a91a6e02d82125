package io.quackrunner.server.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.ledger.LedgerVerification;
import io.quackrunner.receipts.ReceiptLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A state directory's ledger read offline, as {@code runner ledger verify} does: the full audit
 * ({@link io.quackrunner.ledger.Ledger#verify}) and the number of receipts per execution id.
 *
 * @param verification the audit's result
 * @param receiptsPerRun ledger entries per {@code predicate.execution_id}
 * @param statusOf the receipted {@code run_status} per execution id (the last one seen)
 */
record LedgerTally(
    LedgerVerification verification,
    Map<String, Integer> receiptsPerRun,
    Map<String, String> statusOf) {

  /** Reads the ledger under {@code state}; no runner may be writing to it. */
  static LedgerTally read(Path state) throws IOException {
    try (ReceiptLog log = ReceiptLog.open(state)) {
      LedgerVerification v = log.ledger().verify(log.keys().verifierKeys());
      Map<String, Integer> counts = new HashMap<>();
      Map<String, String> status = new HashMap<>();
      for (long i = 0; i < log.ledger().size(); i++) {
        JsonNode envelope = LoadApi.JSON.readTree(log.ledger().entry(i));
        JsonNode st =
            LoadApi.JSON.readTree(Base64.getDecoder().decode(envelope.get("payload").asText()));
        String id = st.at("/predicate/execution_id").asText();
        counts.merge(id, 1, Integer::sum);
        status.put(id, st.at("/predicate/run_status").asText());
      }
      return new LedgerTally(v, counts, status);
    }
  }
}
