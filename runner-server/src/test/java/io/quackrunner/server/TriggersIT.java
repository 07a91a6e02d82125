package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.ledger.Checkpoint;
import io.quackrunner.ledger.InclusionProof;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.ledger.SqliteLedgerStore;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.DsseEnvelope;
import io.quackrunner.receipts.DsseSignature;
import io.quackrunner.receipts.SigningKey;
import io.quackrunner.store.RunRecord;
import io.quackrunner.triggers.SignedTrigger;
import io.quackrunner.triggers.TriggerAnchor;
import io.quackrunner.triggers.TriggerPayload;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signed, anchored triggers end to end over HTTP: each refusal is a 403 invalid-trigger problem
 * that leaves a REJECTED record and starts no sandbox; a valid anchored trigger (anchored in a real
 * Merkle log built with the project's ledger code under a separate test origin and key) runs once.
 */
class TriggersIT {
  static final String LOG_ORIGIN = "caller.example/triggers-it-log";
  static final SigningKey CALLER = SigningKey.generate("caller.example/triggers");
  static final SigningKey LIMITED = SigningKey.generate("caller.example/limited");
  static final SigningKey STRANGER = SigningKey.generate("stranger.example/triggers");
  static final SigningKey LOG_KEY = SigningKey.generate("caller.example/log");
  static final SigningKey OTHER_LOG_KEY = SigningKey.generate("other.example/log");
  static final AtomicInteger executed = new AtomicInteger();
  static final AtomicInteger admitted = new AtomicInteger();
  static Path state;
  static GatewayServer server;
  static TestApi api;
  static Ledger callerLog;
  static OpenApiCheck openapi;

  @BeforeAll
  static void start() throws Exception {
    state = TestApi.newStateDir();
    Path tokens = state.resolve("tokens/tokens");
    String alice = TokenStore.issue(tokens, "alice");
    String bob = TokenStore.issue(tokens, "bob");
    Files.writeString(
        state.resolve("triggers.yaml"),
        String.join(
            "\n",
            "triggers: 1",
            "tenants:",
            "  alice:",
            "    require_trigger: true",
            "    require_anchoring: true",
            "    clock_skew: 5s",
            "    trigger_keys:",
            "      - key: " + CALLER.verifierKey().text(),
            "        tools: [sh]",
            "      - key: " + LIMITED.verifierKey().text(),
            "        tools: [emit]",
            "    checkpoint_keys:",
            "      - " + LOG_KEY.verifierKey().text(),
            "  bob:",
            "    require_trigger: true",
            "    trigger_keys:",
            "      - key: " + CALLER.verifierKey().text(),
            "        tools: ['*']",
            "    checkpoint_keys:",
            "      - " + LOG_KEY.verifierKey().text(),
            ""));
    server = TestApi.start(TestApi.options(state, 2, 8));
    server
        .service()
        .events(
            new io.quackrunner.service.RunEvents() {
              @Override
              public void executed(long wallTimeMs, long overheadMs) {
                executed.incrementAndGet();
              }

              @Override
              public void admitted(String runId, long admitNanos) {
                admitted.incrementAndGet();
              }
            });
    api = new TestApi(server.uri(), alice, bob);
    openapi = new OpenApiCheck(api.get("/openapi.json", null).body());
    callerLog =
        Ledger.open(SqliteLedgerStore.open(state.resolve("caller-log.db")), LOG_ORIGIN, LOG_KEY);
    for (int i = 0; i < 5; i++) {
      callerLog.append(("other link " + i).getBytes(StandardCharsets.UTF_8));
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // ---- helpers ----

  static ObjectNode request(String script) throws Exception {
    return (ObjectNode) TestApi.JSON.readTree(TestApi.sh(script, null));
  }

  static TriggerPayload payload(ObjectNode req, String linkId, Instant issued, Instant notAfter) {
    return new TriggerPayload(
        linkId,
        req.get("tool").asText(),
        req.get("version").asText(),
        req.get("verb").asText(),
        RunRequestJson.bindingSha256(req),
        issued,
        notAfter);
  }

  static TriggerPayload payload(ObjectNode req, String linkId) {
    return payload(req, linkId, Instant.now(), Instant.now().plus(Duration.ofMinutes(10)));
  }

  /** Signs, appends the link to the caller's log and returns the anchored trigger. */
  static SignedTrigger anchored(TriggerPayload p, SigningKey signer) {
    byte[] link = p.toJson();
    DsseEnvelope env = Dsse.sign(TriggerPayload.PAYLOAD_TYPE, link, signer);
    long index = callerLog.append(link);
    callerLog.append(("after " + p.linkId()).getBytes(StandardCharsets.UTF_8));
    Checkpoint cp = callerLog.checkpoint();
    return new SignedTrigger(
        env, new TriggerAnchor(cp, callerLog.inclusionProof(index, cp.size())));
  }

  static HttpResponse<String> post(String token, ObjectNode req, SignedTrigger t) throws Exception {
    ObjectNode body = req.deepCopy();
    if (t != null) {
      body.set("trigger", t.toJson());
    }
    return api.post("/runs?wait=30", token, body.toString());
  }

  /** Asserts the refusal: 403 problem, REJECTED record, nothing executed, no receipt. */
  static void refused(HttpResponse<String> r, String reason, String tenant) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(openapi.violations("Problem", r.body())).as(r.body()).isEmpty();
    JsonNode p = TestApi.json(r);
    assertThat(p.get("type").asText()).isEqualTo("https://quackrunner.io/problems/invalid-trigger");
    assertThat(p.get("reason").asText()).isEqualTo(reason);
    String id = p.get("rejected_run").asText().substring("/runs/".length());
    RunRecord rec = server.service().store().find(id).orElseThrow();
    assertThat(rec.tenant()).isEqualTo(tenant);
    assertThat(rec.status()).isEqualTo(RunStatus.REJECTED);
    assertThat(rec.startedAt()).as("never started").isNull();
    assertThat(rec.receiptJson()).as("no receipt").isNull();
    assertThat(rec.errorKind()).isEqualTo(io.quackrunner.errors.ErrorKind.INVALID_TRIGGER);
    assertThat(state.resolve("runs").resolve(id)).as("no run directory").doesNotExist();
    assertThat(state.resolve("sandboxes").resolve(id)).as("no sandbox").doesNotExist();
    JsonNode shown =
        TestApi.json(api.get("/runs/" + id, tenant.equals("alice") ? api.alice : api.bob));
    assertThat(shown.get("status").asText()).isEqualTo("REJECTED");
  }

  /** Runs a refusal case and asserts no sandbox was started and no receipt was issued. */
  static void refusedWithoutExecution(String token, ObjectNode req, SignedTrigger t, String reason)
      throws Exception {
    int e0 = executed.get();
    int a0 = admitted.get();
    long receipts = receiptCount();
    refused(post(token, req, t), reason, token.equals(api.alice) ? "alice" : "bob");
    assertThat(executed.get()).as("no sandbox ran").isEqualTo(e0);
    assertThat(admitted.get()).as("nothing queued").isEqualTo(a0);
    assertThat(receiptCount()).as("no receipt").isEqualTo(receipts);
  }

  static long receiptCount() throws Exception {
    return server.service().store().list("alice", 10_000).stream()
            .filter(x -> x.receiptJson() != null)
            .count()
        + server.service().store().list("bob", 10_000).stream()
            .filter(x -> x.receiptJson() != null)
            .count();
  }

  // ---- refusals, one test each ----

  @Test
  void aRequiredTriggerThatIsAbsentIsRefused() throws Exception {
    refusedWithoutExecution(api.alice, request("echo no trigger"), null, "required");
  }

  @Test
  void aBadSignatureIsRefused() throws Exception {
    ObjectNode req = request("echo bad sig");
    SignedTrigger t = anchored(payload(req, "bad-sig"), CALLER);
    byte[] sig = t.envelope().signatures().get(0).sig();
    sig[5] ^= 1;
    SignedTrigger bad =
        new SignedTrigger(
            new DsseEnvelope(
                t.envelope().payloadType(),
                t.envelope().payload(),
                List.of(new DsseSignature(CALLER.keyId(), sig))),
            t.anchor());
    refusedWithoutExecution(api.alice, req, bad, "bad-signature");
  }

  @Test
  void anUntrustedKeyIsRefused() throws Exception {
    ObjectNode req = request("echo stranger");
    refusedWithoutExecution(
        api.alice, req, anchored(payload(req, "stranger"), STRANGER), "untrusted-key");
  }

  @Test
  void aKeyNotAllowedForTheToolIsRefused() throws Exception {
    ObjectNode req = request("echo limited");
    refusedWithoutExecution(
        api.alice, req, anchored(payload(req, "limited"), LIMITED), "tool-not-allowed");
  }

  @Test
  void aTriggerForAnotherRequestIsRefused() throws Exception {
    ObjectNode signedFor = request("echo harmless");
    ObjectNode sent = request("echo harmful");
    refusedWithoutExecution(
        api.alice, sent, anchored(payload(signedFor, "changed"), CALLER), "not-bound");
  }

  @Test
  void aSwappedInputDigestIsRefused() throws Exception {
    String good = server.service().content().put("good".getBytes(StandardCharsets.UTF_8));
    String evil = server.service().content().put("evil".getBytes(StandardCharsets.UTF_8));
    ObjectNode signedFor = request("cat /workspace/in/data.txt");
    signedFor.putArray("inputs").addObject().put("name", "data.txt").put("sha256", good);
    ObjectNode sent = signedFor.deepCopy();
    ((ObjectNode) sent.get("inputs").get(0)).put("sha256", evil);
    refusedWithoutExecution(
        api.alice, sent, anchored(payload(signedFor, "swapped"), CALLER), "not-bound");
  }

  @Test
  void anExpiredTriggerIsRefused() throws Exception {
    ObjectNode req = request("echo expired");
    Instant issued = Instant.now().minus(Duration.ofHours(2));
    TriggerPayload p = payload(req, "expired", issued, issued.plus(Duration.ofHours(1)));
    refusedWithoutExecution(api.alice, req, anchored(p, CALLER), "not-valid-now");
  }

  @Test
  void aTriggerNotYetValidIsRefused() throws Exception {
    ObjectNode req = request("echo future");
    TriggerPayload p = payload(req, "future", Instant.now().plus(Duration.ofHours(1)), null);
    refusedWithoutExecution(api.alice, req, anchored(p, CALLER), "not-valid-now");
  }

  @Test
  void aRequiredAnchorThatIsMissingIsRefused() throws Exception {
    ObjectNode req = request("echo unanchored");
    TriggerPayload p = payload(req, "unanchored");
    SignedTrigger t =
        new SignedTrigger(Dsse.sign(TriggerPayload.PAYLOAD_TYPE, p.toJson(), CALLER), null);
    refusedWithoutExecution(api.alice, req, t, "anchor-required");
  }

  @Test
  void aBadInclusionProofIsRefused() throws Exception {
    ObjectNode req = request("echo bad proof");
    SignedTrigger t = anchored(payload(req, "bad-proof"), CALLER);
    InclusionProof p = t.anchor().proof();
    List<byte[]> hashes = p.hashes();
    hashes.get(0)[0] ^= 1;
    SignedTrigger bad =
        new SignedTrigger(
            t.envelope(),
            new TriggerAnchor(
                t.anchor().checkpoint(), new InclusionProof(p.leafIndex(), p.treeSize(), hashes)));
    refusedWithoutExecution(api.alice, req, bad, "bad-inclusion-proof");
  }

  @Test
  void aLinkThatIsNotInTheLogIsRefused() throws Exception {
    ObjectNode req = request("echo never logged");
    SignedTrigger logged = anchored(payload(req, "logged"), CALLER);
    // Another link, signed but never appended, presented with the first one's proof.
    TriggerPayload other = payload(req, "never-logged");
    SignedTrigger t =
        new SignedTrigger(
            Dsse.sign(TriggerPayload.PAYLOAD_TYPE, other.toJson(), CALLER), logged.anchor());
    refusedWithoutExecution(api.alice, req, t, "bad-inclusion-proof");
  }

  @Test
  void aBadCheckpointSignatureIsRefused() throws Exception {
    ObjectNode req = request("echo bad checkpoint");
    SignedTrigger t = anchored(payload(req, "bad-checkpoint"), CALLER);
    Checkpoint cp = t.anchor().checkpoint();
    String text = cp.text();
    // Same trusted signer line, body claiming one more entry: the signature no longer verifies.
    String forged = text.replaceFirst("\n" + cp.size() + "\n", "\n" + (cp.size() + 1) + "\n");
    SignedTrigger bad =
        new SignedTrigger(
            t.envelope(), new TriggerAnchor(Checkpoint.parse(forged), t.anchor().proof()));
    refusedWithoutExecution(api.alice, req, bad, "bad-checkpoint");
  }

  @Test
  void aCheckpointByAnUntrustedLogKeyIsRefused() throws Exception {
    ObjectNode req = request("echo other log");
    SignedTrigger t = anchored(payload(req, "other-log"), CALLER);
    Checkpoint cp = t.anchor().checkpoint();
    Checkpoint resigned = Checkpoint.sign(cp.origin(), cp.size(), cp.rootHash(), OTHER_LOG_KEY);
    SignedTrigger bad =
        new SignedTrigger(t.envelope(), new TriggerAnchor(resigned, t.anchor().proof()));
    refusedWithoutExecution(api.alice, req, bad, "untrusted-checkpoint-key");
  }

  // ---- the accepted link ----

  @Test
  void aValidAnchoredTriggerRunsOnceAndItsReceiptRecordsTheLink() throws Exception {
    ObjectNode req = request("echo accepted link");
    SignedTrigger t = anchored(payload(req, "link-accepted-1"), CALLER);
    HttpResponse<String> r = post(api.alice, req, t);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = TestApi.json(r).get("id").asText();
    assertThat(TestApi.json(r).get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(api.get("/runs/" + id + "/logs?stream=stdout", api.alice).body())
        .isEqualTo("accepted link\n");
    JsonNode pred =
        GatewayIT.statement(api.get("/runs/" + id + "/receipt", api.alice)).get("predicate");
    String linkHash =
        "sha256:" + io.quackrunner.receipts.TriggerHashes.sha256(t.envelope().payload());
    assertThat(pred.get("trigger_hash").asText()).isEqualTo("link:" + linkHash);
    assertThat(pred.at("/trigger/link_hash").asText()).isEqualTo(linkHash);
    assertThat(pred.at("/trigger/link_id").asText()).isEqualTo("link-accepted-1");
    assertThat(pred.at("/trigger/signer_key_id").asText()).isEqualTo(CALLER.keyId());
    assertThat(pred.at("/trigger/checkpoint/origin").asText()).isEqualTo(LOG_ORIGIN);
    assertThat(pred.at("/trigger/checkpoint/size").asLong())
        .isEqualTo(t.anchor().checkpoint().size());
    assertThat(pred.at("/trigger/checkpoint/root_hash").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(t.anchor().checkpoint().rootHash()));
    // One link, at most one execution: sent again, the same run comes back and nothing runs.
    int e0 = executed.get();
    HttpResponse<String> again = post(api.alice, req, t);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(TestApi.json(again).get("id").asText()).isEqualTo(id);
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    // Whoever sends it: another tenant trusting the same key gets no second execution either.
    HttpResponse<String> bobs = post(api.bob, req, t);
    assertThat(bobs.statusCode()).as(bobs.body()).isEqualTo(409);
    assertThat(executed.get()).isEqualTo(e0);
  }

  @Test
  void anUnanchoredTriggerRunsWhereAnchoringIsNotRequired() throws Exception {
    ObjectNode req = request("echo bobs link");
    TriggerPayload p = payload(req, "bob-link-1");
    SignedTrigger t =
        new SignedTrigger(Dsse.sign(TriggerPayload.PAYLOAD_TYPE, p.toJson(), CALLER), null);
    HttpResponse<String> r = post(api.bob, req, t);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestApi.json(r).get("status").asText()).isEqualTo("SUCCEEDED");
    JsonNode pred =
        GatewayIT.statement(
                api.get("/runs/" + TestApi.json(r).get("id").asText() + "/receipt", api.bob))
            .get("predicate");
    assertThat(pred.at("/trigger/link_id").asText()).isEqualTo("bob-link-1");
    assertThat(pred.at("/trigger/checkpoint").isNull()).isTrue();
  }
}
