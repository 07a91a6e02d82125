package io.quackrunner.receipts;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One realistic canonical receipt payload, built once for the fuzz tests. */
final class SampleReceiptsPayload {
  static final byte[] PAYLOAD =
      ReceiptStatement.of(
              SampleReceipts.succeeded(
                  "fuzz-1",
                  Map.of(
                      "report.pdf", "report".getBytes(StandardCharsets.UTF_8),
                      "data/t.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))))
          .canonicalJson();

  private SampleReceiptsPayload() {}
}
