package io.quackrunner.ledger;

import static io.quackrunner.ledger.LedgerFixture.ORIGIN;
import static io.quackrunner.ledger.LedgerFixture.entry;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alters the database behind the ledger's back (dropping the append-only triggers through a raw
 * connection, as anyone with the file could) and checks that {@link Ledger#verify} names it.
 */
class LedgerTamperTest {
  private static final int SIZE = 40;
  private static final TestNoteKey KEY = new TestNoteKey(ORIGIN);
  @TempDir Path dir;
  private Path db;

  @BeforeEach
  void fill() {
    db = dir.resolve("ledger.db");
    try (Ledger ledger = open()) {
      for (int i = 0; i < SIZE; i++) {
        ledger.append(entry(i));
      }
      ledger.checkpoint();
      assertThat(ledger.verify(List.of(KEY)).ok()).isTrue();
    }
  }

  private Ledger open() {
    return Ledger.open(SqliteLedgerStore.open(db), ORIGIN, KEY);
  }

  private LedgerVerification verify() {
    try (Ledger ledger = open()) {
      return ledger.verify(List.of(KEY));
    }
  }

  private void tamper(String... sql) throws SQLException {
    try (Connection c = LedgerFixture.raw(db);
        Statement s = c.createStatement()) {
      for (String table : List.of("entries", "nodes", "checkpoints")) {
        s.execute("DROP TRIGGER " + table + "_no_update");
        s.execute("DROP TRIGGER " + table + "_no_delete");
      }
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  @Test
  void flippedByteInAnEntryIsNamed() throws SQLException {
    byte[] altered = entry(17);
    altered[3] ^= 0x01;
    tamper();
    try (Connection c = LedgerFixture.raw(db);
        PreparedStatement p = c.prepareStatement("UPDATE entries SET entry = ? WHERE idx = 17")) {
      p.setBytes(1, altered);
      p.executeUpdate();
    }
    LedgerVerification v = verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBadIndex()).isEqualTo(17);
    assertThat(v.problem()).contains("entry 17 does not match its stored leaf hash");
  }

  @Test
  void entryReplacedTogetherWithItsLeafHashIsNamed() throws SQLException {
    byte[] forged = "{\"receipt\":\"forged\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    tamper();
    try (Connection c = LedgerFixture.raw(db);
        PreparedStatement p =
            c.prepareStatement("UPDATE entries SET entry = ?, leaf_hash = ? WHERE idx = 9")) {
      p.setBytes(1, forged);
      p.setBytes(2, MerkleProofs.leafHash(forged));
      p.executeUpdate();
    }
    LedgerVerification v = verify();
    assertThat(v.firstBadIndex()).isEqualTo(9);
    assertThat(v.problem()).contains("entry 9 differs from the tree's leaf 9");
  }

  @Test
  void reorderedEntriesAreNamed() throws SQLException {
    tamper(
        "UPDATE entries SET idx = -1 WHERE idx = 21",
        "UPDATE entries SET idx = 21 WHERE idx = 22",
        "UPDATE entries SET idx = 22 WHERE idx = -1");
    LedgerVerification v = verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBadIndex()).isEqualTo(21);
    assertThat(v.problem()).contains("entry 21 differs from the tree's leaf 21");
  }

  @Test
  void droppedEntryIsNamed() throws SQLException {
    tamper("DELETE FROM entries WHERE idx = 5");
    LedgerVerification v = verify();
    assertThat(v.firstBadIndex()).isEqualTo(5);
    assertThat(v.problem()).contains("entry 5 is missing");
  }

  @Test
  void droppedTailIsDetectedAgainstTheSignedCheckpoint() throws SQLException {
    tamper("DELETE FROM entries WHERE idx >= 35");
    LedgerVerification v = verify();
    assertThat(v.firstBadIndex()).isEqualTo(35);
    assertThat(v.problem()).contains("covers 40 entries but only 35 are stored");
  }

  @Test
  void consistentlyRewrittenTreeIsCaughtByTheSignedRoot() throws SQLException {
    // Rewrite entry 30 and every stored hash above it, leaving only the signed checkpoint.
    byte[] forged = "forged".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    tamper();
    TestTree tree = new TestTree();
    for (int i = 0; i < SIZE; i++) {
      tree.append(i == 30 ? forged : entry(i));
    }
    try (Connection c = LedgerFixture.raw(db)) {
      try (PreparedStatement p =
          c.prepareStatement("UPDATE entries SET entry = ?, leaf_hash = ? WHERE idx = 30")) {
        p.setBytes(1, forged);
        p.setBytes(2, MerkleProofs.leafHash(forged));
        p.executeUpdate();
      }
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT level, idx FROM nodes");
          PreparedStatement u =
              c.prepareStatement("UPDATE nodes SET hash = ? WHERE level = ? AND idx = ?")) {
        while (r.next()) {
          u.setBytes(1, tree.node(r.getInt(1), r.getLong(2)));
          u.setInt(2, r.getInt(1));
          u.setLong(3, r.getLong(2));
          u.executeUpdate();
        }
      }
    }
    LedgerVerification v = verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.problem()).contains("differs from the signed checkpoint");
  }

  @Test
  void checkpointSignedBySubstituteKeyIsNamed() throws SQLException {
    TestNoteKey impostor = new TestNoteKey(ORIGIN);
    TestTree honest = new TestTree();
    for (int i = 0; i < SIZE; i++) {
      honest.append(entry(i));
    }
    Checkpoint forged =
        Checkpoint.sign(ORIGIN, SIZE, MerkleProofs.rootHash(SIZE, honest), impostor);
    tamper("DELETE FROM checkpoints");
    try (Connection c = LedgerFixture.raw(db);
        PreparedStatement p =
            c.prepareStatement("INSERT INTO checkpoints (size, text) VALUES (?, ?)")) {
      p.setLong(1, SIZE);
      p.setString(2, forged.text());
      p.executeUpdate();
    }
    LedgerVerification v = verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.problem())
        .contains("no signature by a known key")
        .contains(ORIGIN + "+" + java.util.HexFormat.of().formatHex(impostor.keyHash()));
  }

  @Test
  void verifyingWithAnotherKeyFails() {
    try (Ledger ledger = open()) {
      LedgerVerification v = ledger.verify(List.of(new TestNoteKey(ORIGIN)));
      assertThat(v.ok()).isFalse();
      assertThat(v.problem()).contains("no signature by a known key");
    }
  }
}
