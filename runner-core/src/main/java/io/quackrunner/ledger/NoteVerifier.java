package io.quackrunner.ledger;

/**
 * A public key that checks C2SP signed-note signatures.
 *
 * <p>Follows https://github.com/C2SP/C2SP/blob/main/signed-note.md: a signature line names a key by
 * name and 4-byte key hash; a verifier answers for lines whose name and hash both match.
 */
public interface NoteVerifier {
  /** Returns the key name that appears on signature lines. */
  String name();

  /** Returns the 4-byte key hash that prefixes each signature on a signature line. */
  byte[] keyHash();

  /**
   * Returns whether {@code signature} is this key's valid signature over {@code message}; never
   * throws for malformed signatures.
   */
  boolean verify(byte[] message, byte[] signature);

  /**
   * Returns whether {@code name} is a valid signed-note key name: non-empty, with no Unicode space,
   * no {@code +} and no control character.
   */
  static boolean isValidKeyName(String name) {
    return name != null
        && !name.isEmpty()
        && name.codePoints()
            .noneMatch(
                c ->
                    c == '+'
                        || Character.isWhitespace(c)
                        || Character.isSpaceChar(c)
                        || Character.isISOControl(c));
  }
}
