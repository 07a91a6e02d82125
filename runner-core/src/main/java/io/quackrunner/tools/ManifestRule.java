package io.quackrunner.tools;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The manifest a tool version must emit: a JSON file at a fixed path in out/ that validates against
 * a JSON Schema (draft 2020-12).
 *
 * @param path relative path under out/, e.g. {@code manifest.json}
 * @param schema the schema the manifest must satisfy
 */
public record ManifestRule(String path, JsonNode schema) {}
