package io.quackrunner.ledger;

/**
 * A key that signs C2SP signed notes, such as ledger checkpoints.
 *
 * <p>Follows https://github.com/C2SP/C2SP/blob/main/signed-note.md: a key has a name (no spaces, no
 * {@code +}) and a 4-byte key hash; {@link #sign} returns the raw signature over the note text.
 */
public interface NoteSigner {
  /** Returns the key name that appears on signature lines. */
  String name();

  /** Returns the 4-byte key hash that prefixes each signature on a signature line. */
  byte[] keyHash();

  /** Returns the signature over {@code message}, the complete note text in UTF-8. */
  byte[] sign(byte[] message);
}
