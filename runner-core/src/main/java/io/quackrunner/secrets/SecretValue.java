package io.quackrunner.secrets;

import java.util.Arrays;

/**
 * One credential resolved for one run: its name, how the tool receives it, and its value.
 *
 * <p>{@link #toString()} never shows the value, so a record that reaches a log line or an error
 * detail by accident carries only the name.
 *
 * @param name the secret's name ({@code [A-Z_][A-Z0-9_]*})
 * @param delivery how the tool receives it
 * @param target the file name under {@code /run/secrets/} for {@link Delivery#FILE}, the
 *     environment variable for {@link Delivery#ENV}
 * @param value the value's bytes (never empty)
 */
public record SecretValue(String name, Delivery delivery, String target, byte[] value) {

  /** How a tool receives a secret. */
  public enum Delivery {
    /** A file {@code /run/secrets/<target>} on a tmpfs, mode 0400, owned by the sandbox uid. */
    FILE,
    /** An environment variable {@code <target>}. */
    ENV
  }

  /** Copies the value. */
  public SecretValue {
    value = value.clone();
  }

  /** Returns a copy of the value. */
  @Override
  public byte[] value() {
    return value.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretValue s
        && s.name.equals(name)
        && s.delivery == delivery
        && s.target.equals(target)
        && Arrays.equals(s.value, value);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return "SecretValue[" + name + " as " + delivery + " " + target + "]";
  }
}
