package io.quackrunner.bench.jmh;

import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.ReceiptStatement;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ed25519 (RFC 8032) signatures per second, the JDK's provider ({@code SunEC}) against Bouncy
 * Castle's lightweight API, with the same 32-byte seed and the same message: the DSSE PAE of the
 * realistic receipt of {@link ReceiptBench} (about 1.9 KB). Each operation is what a signer does
 * per receipt: the JDK needs a {@link Signature} per call (it is not thread-safe), Bouncy Castle
 * signs with the key parameters directly. Run with {@code -t 1} and {@code -t 8}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class Ed25519Bench {
  private static final byte[] SEED =
      HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  private static final byte[] PKCS8_PREFIX =
      HexFormat.of().parseHex("302e020100300506032b657004220420");
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private byte[] message;
  private PrivateKey jdkPrivate;
  private PublicKey jdkPublic;
  private Ed25519PrivateKeyParameters bcPrivate;
  private byte[] rawPublic;
  private byte[] signature;

  /** Builds the PAE, both keys from one seed, and checks both sign identically. */
  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException {
    message =
        Dsse.pae(
            ReceiptStatement.PAYLOAD_TYPE,
            ReceiptStatement.of(ReceiptBench.predicate()).canonicalJson());
    KeyFactory factory = KeyFactory.getInstance("Ed25519");
    jdkPrivate = factory.generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, SEED)));
    bcPrivate = new Ed25519PrivateKeyParameters(SEED, 0);
    rawPublic = bcPrivate.generatePublicKey().getEncoded();
    jdkPublic = factory.generatePublic(new X509EncodedKeySpec(concat(SPKI_PREFIX, rawPublic)));
    signature = jdkSign();
    if (!java.util.Arrays.equals(signature, bcSign()) || !bcVerify() || !jdkVerify()) {
      throw new IllegalStateException("the JDK and Bouncy Castle disagree on the signature");
    }
  }

  /** One signature with the JDK provider, a fresh {@link Signature} as the receipts signer did. */
  @Benchmark
  public byte[] jdkSign() throws GeneralSecurityException {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(jdkPrivate);
    signer.update(message);
    return signer.sign();
  }

  /** One signature with Bouncy Castle (the public key is derived once and cached by the key). */
  @Benchmark
  public byte[] bcSign() {
    byte[] out = new byte[Ed25519.SIGNATURE_SIZE];
    bcPrivate.sign(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, out, 0);
    return out;
  }

  /** One verification with the JDK provider. */
  @Benchmark
  public boolean jdkVerify() throws GeneralSecurityException {
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(jdkPublic);
    verifier.update(message);
    return verifier.verify(signature);
  }

  /** One verification with Bouncy Castle from the raw 32-byte public key. */
  @Benchmark
  public boolean bcVerify() {
    return new Ed25519PublicKeyParameters(rawPublic, 0)
        .verify(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, signature, 0);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
