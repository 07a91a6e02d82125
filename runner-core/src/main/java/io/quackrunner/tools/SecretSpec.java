package io.quackrunner.tools;

import io.quackrunner.secrets.SecretValue;

/**
 * A secret a tool version may receive, and how (registry {@code secrets:} entry).
 *
 * @param name the secret's name in its tenant's store ({@code [A-Z_][A-Z0-9_]*})
 * @param delivery {@code FILE} ({@code /run/secrets/<name>}, the default) or {@code ENV}
 * @param target the file name under {@code /run/secrets/}, or the environment variable's name
 */
public record SecretSpec(String name, SecretValue.Delivery delivery, String target) {}
