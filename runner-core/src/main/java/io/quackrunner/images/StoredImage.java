package io.quackrunner.images;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * An imported image as the store records it in {@code images/roots/<hex>/image.json}.
 *
 * @param digest the manifest's {@code sha256:<hex>}: the image's identity and a run's {@code
 *     container_digest}
 * @param configDigest the config blob's digest
 * @param layers the layers, base first
 * @param refName the layout's {@code org.opencontainers.image.ref.name} for the manifest, or null
 * @param importedAt RFC 3339 UTC time of the import
 * @param rootfsBytes the sum of the unpacked regular files' sizes, in bytes
 * @param skippedDevices device nodes and FIFOs left out of the root filesystem
 * @param clearedModeBits members whose setuid, setgid, sticky or group/other write bits were
 *     cleared
 * @param env the config's {@code Env}, informational (the sandbox's environment is the runner's)
 * @param entrypoint the config's {@code Entrypoint}, informational
 */
@JsonPropertyOrder({
  "digest",
  "config_digest",
  "layers",
  "ref_name",
  "imported_at",
  "rootfs_bytes",
  "skipped_devices",
  "cleared_mode_bits",
  "env",
  "entrypoint"
})
public record StoredImage(
    String digest,
    @JsonProperty("config_digest") String configDigest,
    List<Layer> layers,
    @JsonProperty("ref_name") String refName,
    @JsonProperty("imported_at") String importedAt,
    @JsonProperty("rootfs_bytes") long rootfsBytes,
    @JsonProperty("skipped_devices") long skippedDevices,
    @JsonProperty("cleared_mode_bits") long clearedModeBits,
    List<String> env,
    List<String> entrypoint) {

  /**
   * One layer of an imported image.
   *
   * @param digest the compressed blob's digest
   * @param diffId the uncompressed tar's digest
   * @param mediaType the layer's media type
   * @param size the compressed blob's size in bytes
   */
  public record Layer(
      String digest,
      @JsonProperty("diff_id") String diffId,
      @JsonProperty("media_type") String mediaType,
      long size) {}
}
