package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void matchesRfc8032TestVector1() {
    byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    SigningKey key = SigningKey.fromSeed("rfc8032", seed);
    assertThat(HEX.formatHex(key.verifierKey().publicKey()))
        .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assertThat(HEX.formatHex(key.sign(new byte[0])))
        .isEqualTo(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065"
                + "224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  }

  @Test
  void rawPublicKeysConvertToAndFromJdkKeys() {
    SigningKey key = SigningKey.generate("a");
    byte[] raw = key.verifierKey().publicKey();
    assertThat(Ed25519.publicKey(raw).getEncoded())
        .startsWith(HEX.parseHex("302a300506032b6570032100"))
        .endsWith(raw);
    assertThat(Ed25519.rawPublicKey(Ed25519.publicKey(raw))).isEqualTo(raw);
  }

  @Test
  void refusesSignaturesThatAreNotExactly64Bytes() {
    SigningKey key = SigningKey.generate("a");
    byte[] msg = "receipt".getBytes(StandardCharsets.UTF_8);
    byte[] sig = key.sign(msg);
    assertThat(sig).hasSize(64);
    assertThat(key.verifierKey().verify(msg, sig)).isTrue();
    byte[] longer = Arrays.copyOf(sig, 65);
    longer[64] = 0x42;
    assertThat(key.verifierKey().verify(msg, longer)).isFalse();
    assertThat(key.verifierKey().verify(msg, Arrays.copyOf(sig, 65))).isFalse();
    assertThat(key.verifierKey().verify(msg, Arrays.copyOf(sig, 63))).isFalse();
    assertThat(key.verifierKey().verify(msg, new byte[0])).isFalse();
  }

  @Test
  void keyTextFollowsSignedNote() {
    // The example key of https://github.com/C2SP/C2SP/blob/main/signed-note.md
    String text = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    VerifierKey key = VerifierKey.parse(text);
    assertThat(key.name()).isEqualTo("PeterNeumann");
    assertThat(HEX.formatHex(key.keyHash())).isEqualTo("c74f20a3");
    assertThat(key.text()).isEqualTo(text);
    assertThat(key.keyId()).isEqualTo("PeterNeumann+c74f20a3");
    assertThatThrownBy(() -> VerifierKey.parse(text.replace("c74f20a3", "c74f20a4")))
        .isInstanceOf(RunnerException.class);
    assertThatThrownBy(() -> SigningKey.generate("two words")).isInstanceOf(RunnerException.class);
    assertThatThrownBy(() -> SigningKey.generate("a+b")).isInstanceOf(RunnerException.class);

    SigningKey signing = SigningKey.generate("example.com/log");
    SigningKey again = SigningKey.parse(signing.privateKeyText());
    assertThat(again.verifierKey()).isEqualTo(signing.verifierKey());
    assertThat(signing.privateKeyText()).startsWith("PRIVATE+KEY+" + signing.keyId() + "+");
  }

  @Test
  void keyTextSurvivesBase64PlusSigns() {
    for (int i = 0; i < 200; i++) {
      SigningKey key = SigningKey.generate("n");
      assertThat(VerifierKey.parse(key.verifierKey().text())).isEqualTo(key.verifierKey());
      assertThat(SigningKey.parse(key.privateKeyText()).verifierKey()).isEqualTo(key.verifierKey());
    }
  }

  @Test
  void generatesOnFirstUseWithMode0600AndReloads(@TempDir Path state) throws Exception {
    KeyRing ring = KeyRing.open(state, "runner.test");
    Path file = state.resolve("keys/active.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("keys"))))
        .isEqualTo("rwx------");
    assertThat(KeyRing.open(state, "runner.test").active().verifierKey())
        .isEqualTo(ring.active().verifierKey());
    assertThat(KeyRing.load(file, List.of()).active().verifierKey())
        .isEqualTo(ring.active().verifierKey());
  }

  @Test
  void refusesKeyFilesReadableByOthers(@TempDir Path state) throws Exception {
    KeyRing.open(state, "runner.test");
    Path file = state.resolve("keys/active.key");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> KeyRing.load(file, List.of()))
        .isInstanceOfSatisfying(
            RunnerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
        .hasMessageContaining("chmod 600");
  }

  @Test
  void rotationsByTwoProcessesRetireEveryKeyThatWasActive(@TempDir Path state) {
    // Two rings on one state directory stand for two processes; b's idea of the active key is
    // stale once a rotates.
    KeyRing a = KeyRing.open(state, "runner.test");
    KeyRing b = KeyRing.open(state, "runner.test");
    VerifierKey k0 = a.active().verifierKey();
    VerifierKey k1 = a.rotate().verifierKey();
    KeyRing signer = KeyRing.open(state, "runner.test"); // signs receipts with k1 meanwhile
    assertThat(signer.active().verifierKey()).isEqualTo(k1);
    VerifierKey k2 = b.rotate().verifierKey();
    KeyRing reopened = KeyRing.open(state, "runner.test");
    assertThat(reopened.active().verifierKey()).isEqualTo(k2);
    assertThat(reopened.retired()).as("k1's receipts still verify").contains(k0, k1);
  }

  @Test
  void rotationKeepsRetiredPublicKeys(@TempDir Path state) {
    KeyRing ring = KeyRing.open(state, "runner.test");
    VerifierKey first = ring.active().verifierKey();
    SigningKey second = ring.rotate();
    SigningKey third = ring.rotate();
    assertThat(second.verifierKey()).isNotEqualTo(first);
    assertThat(ring.verifierKeys())
        .containsExactly(third.verifierKey(), first, second.verifierKey());
    KeyRing reopened = KeyRing.open(state, "runner.test");
    assertThat(reopened.active().verifierKey()).isEqualTo(third.verifierKey());
    assertThat(reopened.retired()).containsExactlyInAnyOrder(first, second.verifierKey());
    assertThatThrownBy(() -> KeyRing.load(state.resolve("keys/active.key"), List.of()).rotate())
        .isInstanceOf(RunnerException.class);
  }
}
