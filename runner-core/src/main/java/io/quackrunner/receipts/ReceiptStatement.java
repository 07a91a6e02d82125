package io.quackrunner.receipts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A receipt: an in-toto Statement v1 whose subjects are the run's artifacts and whose predicate is
 * a {@link ReceiptPredicate}.
 *
 * <p>JSON: {@code {"_type": "https://in-toto.io/Statement/v1", "subject": [{"name", "digest":
 * {"sha256"}}], "predicateType": "https://quackrunner.io/receipt/v1", "predicate": {...}}} (in-toto
 * attestation framework, Statement v1). Subjects list the artifacts in order; a run with no
 * artifacts has the single subject {@code stdout}, since in-toto requires at least one.
 *
 * @param subject the artifacts the receipt applies to
 * @param predicate what happened in the run
 */
public record ReceiptStatement(List<ReceiptSubject> subject, ReceiptPredicate predicate) {
  /** The in-toto Statement v1 type URI. */
  public static final String TYPE = "https://in-toto.io/Statement/v1";

  /** The QuackRunner receipt predicate type URI. */
  public static final String PREDICATE_TYPE = "https://quackrunner.io/receipt/v1";

  /** The DSSE payload type of in-toto statements. */
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  private static final Set<String> FIELDS =
      Set.of("_type", "subject", "predicateType", "predicate");
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  /**
   * Checks that the subjects match the predicate's artifacts.
   *
   * @throws RunnerException VERIFICATION_FAILED if they differ
   */
  public ReceiptStatement {
    subject = List.copyOf(subject);
    ReceiptChecks.that(subject.equals(subjectsOf(predicate)), "subjects must list the artifacts");
  }

  /** Returns the statement for {@code predicate}, deriving its subjects from the artifacts. */
  public static ReceiptStatement of(ReceiptPredicate predicate) {
    return new ReceiptStatement(subjectsOf(predicate), predicate);
  }

  /** Returns the statement as a JSON tree in the in-toto Statement v1 shape. */
  public JsonNode toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("_type", TYPE);
    var subjects = root.putArray("subject");
    for (ReceiptSubject s : subject) {
      subjects.addObject().put("name", s.name()).putObject("digest").put("sha256", s.sha256());
    }
    root.put("predicateType", PREDICATE_TYPE);
    root.set("predicate", MAPPER.valueToTree(predicate));
    return root;
  }

  /** Returns the RFC 8785 canonical JSON of this statement, the DSSE payload. */
  public byte[] canonicalJson() {
    return Jcs.canonicalize(toJson());
  }

  /**
   * Reads a statement strictly: no unknown or missing fields, the two type URIs as above.
   *
   * @throws RunnerException VERIFICATION_FAILED if the bytes are not such a statement
   */
  public static ReceiptStatement parse(byte[] json) {
    JsonNode root = Jcs.parse(json);
    ReceiptChecks.that(root.isObject(), "statement must be a JSON object");
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      ReceiptChecks.that(FIELDS.contains(name), "unknown statement field '" + name + "'");
    }
    ReceiptChecks.that(TYPE.equals(root.path("_type").textValue()), "_type must be " + TYPE);
    ReceiptChecks.that(
        PREDICATE_TYPE.equals(root.path("predicateType").textValue()),
        "predicateType must be " + PREDICATE_TYPE);
    List<ReceiptSubject> subjects = new ArrayList<>();
    ReceiptChecks.that(root.path("subject").isArray(), "subject must be an array");
    for (JsonNode s : root.get("subject")) {
      ReceiptChecks.that(
          s.isObject()
              && s.size() == 2
              && s.path("digest").isObject()
              && s.get("digest").size() == 1,
          "each subject is exactly {name, digest: {sha256}}");
      subjects.add(
          new ReceiptSubject(
              s.path("name").textValue(), s.get("digest").path("sha256").textValue()));
    }
    JsonNode predicate = root.path("predicate");
    if (predicate.isObject()) {
      // The optional members are written only when present (a signed trigger, a recorded origin,
      // an egress run, a shipped lock file); absent means none.
      ObjectNode p = (ObjectNode) predicate.deepCopy();
      for (String optional : List.of("trigger", "origin", "network", "lock_file")) {
        if (!p.has(optional)) {
          p.putNull(optional);
        }
      }
      predicate = p;
    }
    try {
      return new ReceiptStatement(subjects, MAPPER.treeToValue(predicate, ReceiptPredicate.class));
    } catch (RunnerException e) {
      throw e;
    } catch (Exception e) {
      Throwable cause = e;
      while (cause.getCause() != null && !(cause instanceof RunnerException)) {
        cause = cause.getCause();
      }
      if (cause instanceof RunnerException re) {
        throw re;
      }
      String message =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new RunnerException(
          ErrorKind.VERIFICATION_FAILED, "bad receipt predicate: " + message, e);
    }
  }

  private static List<ReceiptSubject> subjectsOf(ReceiptPredicate predicate) {
    if (predicate.artifacts().isEmpty()) {
      return List.of(new ReceiptSubject("stdout", predicate.stdout().sha256()));
    }
    return predicate.artifacts().stream()
        .map(a -> new ReceiptSubject(a.artifactId(), a.sha256()))
        .toList();
  }
}
