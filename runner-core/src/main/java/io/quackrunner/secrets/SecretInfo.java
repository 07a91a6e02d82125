package io.quackrunner.secrets;

import java.time.Instant;

/**
 * What may be shown of a stored secret: never its value.
 *
 * @param name the secret's name
 * @param updatedAt when its value was last set (the file's modification time)
 * @param source {@code store} for a secret set with {@code runner secrets set}, {@code directory}
 *     for one read from the operator's secrets directory
 */
public record SecretInfo(String name, Instant updatedAt, String source) {}
