package io.quackrunner.ledger;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * A signed ledger checkpoint in the C2SP tlog-checkpoint format
 * (https://github.com/C2SP/C2SP/blob/main/tlog-checkpoint.md).
 *
 * <p>Body: the origin line, the tree size in decimal, the standard base64 root hash, then optional
 * non-empty extension lines; then a blank line and signed-note signature lines {@code — name
 * base64(keyhash4 ‖ signature)}.
 *
 * @param origin the log's unique name, e.g. {@code quackrunner.example/ledger}
 * @param size the tree size, in entries
 * @param rootHash the 32-byte RFC 9162 root hash of the first {@code size} entries
 * @param extensions extension lines, usually none
 * @param signatures one or more signatures over the body
 */
public record Checkpoint(
    String origin,
    long size,
    byte[] rootHash,
    List<String> extensions,
    List<NoteSignature> signatures) {

  /** Copies the arrays and lists so the record stays immutable. */
  public Checkpoint {
    rootHash = rootHash.clone();
    extensions = List.copyOf(extensions);
    signatures = List.copyOf(signatures);
  }

  /**
   * Returns a checkpoint of the tree of {@code size} entries with root {@code rootHash}, signed by
   * {@code signer}.
   *
   * @throws io.quackrunner.errors.RunnerException VERIFICATION_FAILED if the origin is empty or
   *     holds a newline or control character
   */
  public static Checkpoint sign(String origin, long size, byte[] rootHash, NoteSigner signer) {
    String body = body(origin, size, rootHash, List.of());
    return new Checkpoint(
        origin, size, rootHash, List.of(), List.of(SignedNote.sign(body, signer)));
  }

  /**
   * Parses a signed checkpoint strictly: a canonical decimal size, a 32-byte standard base64 root,
   * well-formed signature lines, at least one signature.
   *
   * @throws io.quackrunner.errors.RunnerException VERIFICATION_FAILED if the text is malformed;
   *     signatures are not checked here, see {@link #verify}
   */
  public static Checkpoint parse(String text) {
    SignedNote.Parsed note = SignedNote.parse(text);
    String[] lines = note.text().substring(0, note.text().length() - 1).split("\n", -1);
    SignedNote.require(lines.length >= 3, "a checkpoint has origin, size and root lines");
    SignedNote.require(!lines[0].isEmpty(), "empty origin");
    SignedNote.require(lines[1].matches("0|[1-9][0-9]{0,18}"), "size must be canonical decimal");
    long size;
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new io.quackrunner.errors.RunnerException(
          io.quackrunner.errors.ErrorKind.VERIFICATION_FAILED, "bad signed note: size too large");
    }
    byte[] root = SignedNote.decode(lines[2]);
    SignedNote.require(root.length == MerkleProofs.HASH_SIZE, "root hash must be 32 bytes");
    List<String> extensions = Arrays.asList(lines).subList(3, lines.length);
    extensions.forEach(e -> SignedNote.require(!e.isEmpty(), "empty extension line"));
    return new Checkpoint(lines[0], size, root, extensions, note.signatures());
  }

  /** Returns the signed body: origin, size and root lines, extension lines, each ending in LF. */
  public String body() {
    return body(origin, size, rootHash, extensions);
  }

  /** Returns the complete signed-note text: body, blank line, signature lines. */
  public String text() {
    return SignedNote.format(body(), signatures);
  }

  /**
   * Checks that at least one of {@code keys} signed this checkpoint and that every signature by one
   * of them is valid; signatures by other keys are ignored (C2SP signed-note).
   *
   * @throws io.quackrunner.errors.RunnerException VERIFICATION_FAILED naming the failing key
   */
  public void verify(Collection<? extends NoteVerifier> keys) {
    SignedNote.verify(body(), signatures, keys);
  }

  /** Returns the body bytes that signatures cover, UTF-8. */
  public byte[] signedBytes() {
    return body().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  @Override
  public String toString() {
    return "Checkpoint["
        + origin
        + " "
        + size
        + " "
        + Base64.getEncoder().encodeToString(rootHash)
        + "]";
  }

  private static String body(String origin, long size, byte[] root, List<String> extensions) {
    SignedNote.require(
        origin != null && !origin.isEmpty() && !origin.contains("\n"), "bad origin line");
    StringBuilder out = new StringBuilder();
    out.append(origin).append('\n').append(size).append('\n');
    out.append(Base64.getEncoder().encodeToString(root)).append('\n');
    extensions.forEach(e -> out.append(e).append('\n'));
    String body = out.toString();
    SignedNote.requireText(body);
    return body;
  }
}
