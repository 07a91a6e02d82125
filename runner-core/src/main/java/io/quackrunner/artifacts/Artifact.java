package io.quackrunner.artifacts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A regular file a run left in out/.
 *
 * @param path relative path under out/, '/'-separated
 * @param sizeBytes size in bytes
 * @param sha256 lower-case hex SHA-256 of the content
 * @param mediaType IANA media type, {@code application/octet-stream} when unknown
 */
public record Artifact(
    String path,
    @JsonProperty("size") long sizeBytes,
    String sha256,
    @JsonProperty("media_type") String mediaType) {}
