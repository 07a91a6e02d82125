package io.quackrunner.service;

/**
 * One input file of a run: its name under {@code /workspace/in} and the SHA-256 of its content,
 * which must already be in the content store.
 *
 * @param name relative path, '/'-separated segments of {@code [A-Za-z0-9._-]}, no {@code .} or
 *     {@code ..} segment, not under {@code _tool}
 * @param sha256 lower-case hex SHA-256 of the content
 */
public record InputRef(String name, String sha256) {}
