package io.quackrunner.tools;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One thing a tool version can be asked to do; a run invokes {@code <entrypoint> <verb> --k=v…}.
 *
 * @param name the verb, {@code [a-z][a-z0-9-]*}
 * @param description one line for people, possibly empty
 * @param params the JSON Schema (draft 2020-12) the run's {@code params} object must satisfy
 */
public record Verb(String name, String description, JsonNode params) {}
