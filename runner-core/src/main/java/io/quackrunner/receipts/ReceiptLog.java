package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.ledger.SqliteLedgerStore;
import io.quackrunner.store.NodeFenced;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A state directory's receipt machinery: its signing key ring ({@code keys/}) and its ledger
 * ({@code ledger/ledger.db}, origin in {@code ledger/origin}), shared by every front-end that uses
 * the directory.
 *
 * <p>The origin (the C2SP tlog-checkpoint first line, also the signing key's name) is made once,
 * {@code quackrunner.local/<8 random hex>}, and never changes, so rotated keys sign the same log.
 */
public final class ReceiptLog implements AutoCloseable {
  private final KeyRing keys;
  private final Ledger ledger;
  private final ReceiptSigner signer;

  private ReceiptLog(KeyRing keys, Ledger ledger) {
    this.keys = keys;
    this.ledger = ledger;
    this.signer = new ReceiptSigner(keys);
  }

  /**
   * Opens (creating on first use) the key ring and ledger under {@code stateDir}.
   *
   * @throws RunnerException of kind CONFIGURATION when the files cannot be created or read, or the
   *     ledger database is not a ledger
   */
  public static ReceiptLog open(Path stateDir) {
    return open(stateDir, SqliteLedgerStore.open(stateDir.resolve("ledger").resolve("ledger.db")));
  }

  /**
   * Opens the key ring under {@code stateDir} and the ledger in {@code store} (e.g. a shared
   * PostgreSQL ledger). The origin is the one the store holds, so every node sharing it signs one
   * log; a new store takes the state directory's origin. The ledger closes the store.
   *
   * @throws RunnerException of kind CONFIGURATION as {@link #open(Path)}
   */
  public static ReceiptLog open(Path stateDir, io.quackrunner.ledger.LedgerStore store) {
    try {
      String origin =
          store.setting(Ledger.ORIGIN_SETTING).orElseGet(() -> origin(stateDir.resolve("ledger")));
      KeyRing keys = KeyRing.open(stateDir, origin);
      return new ReceiptLog(keys, Ledger.open(store, origin, keys.active()));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Returns the ledger origin stored in {@code ledgerDir/origin}, writing a new one if absent.
   *
   * @throws RunnerException of kind CONFIGURATION when it cannot be read or written
   */
  public static String origin(Path ledgerDir) {
    Path file = ledgerDir.resolve("origin");
    try {
      Files.createDirectories(ledgerDir);
      if (!Files.exists(file)) {
        byte[] r = new byte[4];
        new SecureRandom().nextBytes(r);
        String fresh = "quackrunner.local/" + HexFormat.of().formatHex(r) + "\n";
        // Written aside and linked into place: a process opening the directory at the same
        // moment sees no origin or the whole one, never an empty file; the first link wins.
        io.quackrunner.store.StateFiles.createOnce(
            file,
            fresh.getBytes(StandardCharsets.UTF_8),
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      }
      String origin = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (origin.isEmpty() || origin.contains(" ") || origin.contains("+")) {
        throw new RunnerException(ErrorKind.CONFIGURATION, file + " holds no valid ledger origin");
      }
      return origin;
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot use " + file + ": " + e);
    }
  }

  /** Returns the key ring. */
  public KeyRing keys() {
    return keys;
  }

  /** Returns the ledger. */
  public Ledger ledger() {
    return ledger;
  }

  /**
   * Signs a receipt statement and appends the envelope to the ledger; returns once the entry is
   * durable.
   *
   * @return the envelope bytes and the ledger index
   * @throws RunnerException of kind RECEIPT_COMMIT_FAILED when signing or appending fails, or
   *     {@link NodeFenced} when the ledger is fenced and this node's lease is no longer live
   */
  public Committed commit(ReceiptStatement statement) {
    return append(sign(statement));
  }

  /**
   * Signs a receipt statement as a DSSE v1.0.2 envelope with the active key, for {@link #append}.
   *
   * @return the envelope's JSON bytes
   * @throws RunnerException of kind RECEIPT_COMMIT_FAILED when signing fails
   */
  public byte[] sign(ReceiptStatement statement) {
    return signer.sign(statement);
  }

  /**
   * Appends a signed envelope unless the ledger holds it already: an append whose transaction
   * committed but whose answer the database connection lost (a restart) is found by its RFC 9162
   * leaf hash, so retrying it never appends the envelope twice.
   *
   * @return the envelope and its (first) ledger index
   * @throws RunnerException as {@link #append}; of kind UNAVAILABLE when the lookup finds the
   *     database unreachable
   */
  public Committed appendOnce(byte[] envelope) {
    java.util.OptionalLong at = ledger.indexOf(envelope);
    return at.isPresent() ? new Committed(envelope, at.getAsLong()) : append(envelope);
  }

  /**
   * Appends a signed envelope to the ledger; returns once the entry is durable.
   *
   * @throws RunnerException of kind RECEIPT_COMMIT_FAILED when appending fails, or {@link
   *     NodeFenced} when the ledger is fenced and this node's lease is no longer live
   */
  public Committed append(byte[] envelope) {
    try {
      return new Committed(envelope, ledger.append(envelope));
    } catch (RunnerException e) {
      throw e.kind() == ErrorKind.RECEIPT_COMMIT_FAILED || e instanceof NodeFenced
          ? e
          : new RunnerException(
              ErrorKind.RECEIPT_COMMIT_FAILED, "ledger append failed: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the offline-verifiable bundle of a committed receipt to {@code reportsDir}: {@code
   * receipt.dsse.json} (the envelope), {@code checkpoint.txt} (a signed C2SP checkpoint covering
   * it) and {@code inclusion.json} (its RFC 9162 §2.1.3 inclusion proof against that checkpoint).
   *
   * @throws RunnerException of kind RECEIPT_COMMIT_FAILED when a file cannot be written (the
   *     receipt stays in the ledger)
   */
  public void writeBundle(Committed c, Path reportsDir) {
    try {
      var checkpoint = ledger.checkpoint();
      var proof = ledger.inclusionProof(c.index(), checkpoint.size());
      Files.write(reportsDir.resolve("receipt.dsse.json"), c.envelope());
      Files.writeString(
          reportsDir.resolve("checkpoint.txt"), checkpoint.text(), StandardCharsets.UTF_8);
      Files.writeString(
          reportsDir.resolve("inclusion.json"), proof.toJson() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.RECEIPT_COMMIT_FAILED,
          "receipt "
              + c.index()
              + " is in the ledger but could not be written to "
              + reportsDir
              + ": "
              + e);
    }
  }

  /**
   * A receipt that was signed and appended.
   *
   * @param envelope the DSSE envelope bytes, as stored in the ledger
   * @param index the ledger index of the entry
   */
  public record Committed(byte[] envelope, long index) {}

  @Override
  public void close() {
    ledger.close();
  }
}
