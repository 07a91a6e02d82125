package io.quackrunner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Checkpoint;
import io.quackrunner.ledger.InclusionProof;
import io.quackrunner.limits.Units;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.KeyRing;
import io.quackrunner.receipts.SigningKey;
import io.quackrunner.server.RunRequestJson;
import io.quackrunner.triggers.SignedTrigger;
import io.quackrunner.triggers.TriggerAnchor;
import io.quackrunner.triggers.TriggerPayload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner trigger sign}: makes a signed trigger (docs/TRIGGERS.md) for a RunRequest with a
 * trigger-signing key, for callers and tests; optionally with the anchoring evidence of the link in
 * the caller's log.
 */
@Command(
    name = "trigger",
    description = "Make signed triggers for run requests",
    subcommands = {TriggerCommand.Sign.class})
public final class TriggerCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  @ParentCommand RunnerCommand runner;

  @Override
  public Integer call() {
    throw new RunnerException(ErrorKind.USAGE, "trigger needs a subcommand: sign");
  }

  /** Prints the trigger JSON of a request, signed by a trigger-signing key. */
  @Command(
      name = "sign",
      description = "Sign a trigger for a RunRequest JSON file; prints the trigger JSON")
  static final class Sign implements Callable<Integer> {
    @ParentCommand TriggerCommand trigger;

    @Option(
        names = "--request",
        paramLabel = "FILE",
        required = true,
        description =
            "the RunRequest JSON the trigger binds, or the binding runner exec --print-binding"
                + " prints for a command")
    Path request;

    @Option(
        names = "--link-id",
        paramLabel = "ID",
        required = true,
        description = "the caller's id of the link")
    String linkId;

    @Option(
        names = "--key",
        paramLabel = "FILE",
        description =
            "private key file (default: the state dir's trigger key, runner keys show --trigger)")
    Path key;

    @Option(
        names = "--valid-for",
        paramLabel = "T",
        description = "sets not_after to now + T, e.g. 10m (default: no expiry)")
    String validFor;

    @Option(
        names = "--link-out",
        paramLabel = "FILE",
        description = "also write the link (the payload bytes a caller's log appends)")
    Path linkOut;

    @Option(
        names = "--checkpoint",
        paramLabel = "FILE",
        description = "the caller's signed checkpoint that includes the link")
    Path checkpoint;

    @Option(
        names = "--proof",
        paramLabel = "FILE",
        description = "RFC 9162 inclusion proof JSON of the link in --checkpoint")
    Path proof;

    @Override
    public Integer call() {
      if ((checkpoint == null) != (proof == null)) {
        throw new RunnerException(ErrorKind.USAGE, "--checkpoint and --proof go together");
      }
      JsonNode req;
      try {
        req = JSON.readTree(read(request));
      } catch (IOException e) {
        throw new RunnerException(ErrorKind.USAGE, request + " is not JSON: " + e.getMessage());
      }
      if (req == null || !req.isObject()) {
        throw new RunnerException(ErrorKind.USAGE, request + " must hold a RunRequest object");
      }
      if (req.has("trigger")) {
        throw new RunnerException(ErrorKind.USAGE, request + " already carries a trigger");
      }
      SigningKey signer = signingKey();
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      // A binding (runner exec --print-binding) names its hash; a RunRequest is hashed here.
      boolean binding = req.has("request_sha256");
      TriggerPayload p =
          new TriggerPayload(
              linkId,
              req.path("tool").asText(),
              req.path("version").asText(),
              req.path("verb").asText(),
              binding ? req.get("request_sha256").asText() : RunRequestJson.bindingSha256(req),
              now,
              validFor == null
                  ? null
                  : now.plus(Duration.ofMillis(Units.parseDurationMs(validFor))));
      byte[] link = p.toJson();
      if (linkOut != null) {
        write(linkOut, link);
      }
      TriggerAnchor anchor =
          checkpoint == null
              ? null
              : new TriggerAnchor(
                  Checkpoint.parse(new String(read(checkpoint), StandardCharsets.UTF_8)),
                  InclusionProof.parseJson(new String(read(proof), StandardCharsets.UTF_8)));
      SignedTrigger t =
          new SignedTrigger(Dsse.sign(TriggerPayload.PAYLOAD_TYPE, link, signer), anchor);
      var out = trigger.runner.context().out();
      out.println(t.toJson().toPrettyString());
      out.flush();
      return 0;
    }

    private SigningKey signingKey() {
      if (key != null) {
        return KeyRing.load(key, List.of()).active();
      }
      return KeysCommand.triggerRing().active();
    }
  }

  static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.USAGE, "cannot read " + p + ": " + e.getMessage());
    }
  }

  private static void write(Path p, byte[] b) {
    try {
      Files.write(p, b);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.USAGE, "cannot write " + p + ": " + e.getMessage());
    }
  }
}
