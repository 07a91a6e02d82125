package io.quackrunner.cli;

import io.quackrunner.execution.Engine;
import io.quackrunner.receipts.KeyRing;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.SigningKey;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.service.Backend;
import io.quackrunner.service.KeyListing;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner keys show|rotate [--trigger]}, {@code runner keys list [--database URL]}: the
 * receipt signing key of the state directory (or, with {@code --trigger}, the separate
 * trigger-signing key used by {@code runner trigger sign}), printed in the C2SP signed-note
 * verifier-key form ({@code name+keyid+base64(0x01 ‖ public key)}).
 */
@Command(
    name = "keys",
    description = "Show or rotate the receipt signing key",
    subcommands = {KeysCommand.Show.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class})
public final class KeysCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Override
  public Integer call() {
    throw new io.quackrunner.errors.RunnerException(
        io.quackrunner.errors.ErrorKind.USAGE, "keys needs a subcommand: show, list or rotate");
  }

  /** The directory under the state dir holding the separate trigger-signing key ring. */
  static final String TRIGGER_KEYS = "trigger-signing";

  static KeyRing ring() {
    Path state = Engine.stateDir(System.getenv());
    return KeyRing.open(state, ReceiptLog.origin(state.resolve("ledger")));
  }

  /** The trigger-signing key ring: {@code <state>/trigger-signing/keys/active.key}. */
  static KeyRing triggerRing() {
    Path state = Engine.stateDir(System.getenv());
    return KeyRing.open(state.resolve(TRIGGER_KEYS), "quackrunner-trigger");
  }

  /** Prints the active verifier key, then retired ones marked as such. */
  @Command(name = "show", description = "Print the verifier key (and retired keys)")
  static final class Show implements Callable<Integer> {
    @ParentCommand KeysCommand keys;

    @picocli.CommandLine.Option(
        names = "--trigger",
        description =
            "the trigger-signing key (for runner trigger sign) instead of the receipt key")
    boolean trigger;

    @Override
    public Integer call() {
      KeyRing ring = trigger ? triggerRing() : ring();
      var out = keys.runner.context().out();
      out.println(ring.active().verifierKey().text());
      for (VerifierKey k : ring.retired()) {
        out.println(k.text() + " retired");
      }
      return 0;
    }
  }

  /**
   * Opens the state directory's key ring and ledger, in {@code url}'s database when not null, and
   * the node store of that database (or of the state directory's {@code runs.db}), read-only: no
   * node joins, nothing is migrated.
   *
   * @throws io.quackrunner.errors.RunnerException as {@link Backend#open}
   */
  static <T> T withDatabase(
      Path state,
      String url,
      java.util.function.BiFunction<ReceiptLog, io.quackrunner.store.NodeStore, T> f) {
    Backend.Database db = Backend.Database.of(url, false, null, null);
    try (Backend b = Backend.open(state, db, 2, "cli");
        io.quackrunner.store.RunStore store = b.runStores().get()) {
      return f.apply(b.receiptLog(), store.nodes());
    } catch (io.quackrunner.errors.RunnerException e) {
      throw e;
    } catch (Exception e) {
      throw new io.quackrunner.errors.RunnerException(
          io.quackrunner.errors.ErrorKind.INTERNAL, "cannot close the state: " + e, e);
    }
  }

  /**
   * Prints every verifier key this runner would trust: the local ring, then every key of the
   * database's {@code node_keys} (a retired or dead node's key included), one row each.
   */
  @Command(
      name = "list",
      description = "List the verifier keys of every node (local ring and node_keys)")
  static final class ListKeys implements Callable<Integer> {
    @ParentCommand KeysCommand keys;

    @picocli.CommandLine.Option(
        names = "--database",
        paramLabel = "URL",
        description =
            "the shared PostgreSQL whose node_keys to list (default: the state directory's"
                + " runs.db)")
    String database;

    @Override
    public Integer call() {
      Path state = Engine.stateDir(System.getenv());
      java.util.List<KeyListing.Entry> entries =
          withDatabase(state, database, (log, nodes) -> KeyListing.list(log.keys(), nodes));
      var out = keys.runner.context().out();
      out.println(
          String.format(
              "%-8s %-8s %-24s %-8s %-24s %s",
              "STATUS", "ALG", "NODE", "STATE", "FIRST_SEEN", "VERIFIER_KEY"));
      for (KeyListing.Entry e : entries) {
        out.println(
            String.format(
                "%-8s %-8s %-24s %-8s %-24s %s",
                e.status(),
                "ed25519",
                e.nodeId() == null ? "-" : e.nodeId(),
                e.nodeState() == null ? "-" : e.nodeState(),
                e.firstSeen() == null ? "-" : e.firstSeen().toString(),
                e.key().text()));
      }
      out.flush();
      return 0;
    }
  }

  /** Makes a new active key; the old public key is kept so old receipts still verify. */
  @Command(name = "rotate", description = "Make a new signing key and retire the current one")
  static final class Rotate implements Callable<Integer> {
    @ParentCommand KeysCommand keys;

    @picocli.CommandLine.Option(
        names = "--trigger",
        description = "rotate the trigger-signing key instead of the receipt key")
    boolean trigger;

    @Override
    public Integer call() {
      SigningKey fresh = (trigger ? triggerRing() : ring()).rotate();
      keys.runner.context().out().println(fresh.verifierKey().text());
      return 0;
    }
  }
}
