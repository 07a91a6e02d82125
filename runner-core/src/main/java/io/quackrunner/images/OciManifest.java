package io.quackrunner.images;

import static io.quackrunner.images.EntryPath.refuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The image a layout's {@code index.json} names, resolved to its manifest, config and layers
 * (image-spec v1.1 "Image Index", "Image Manifest", "Image Configuration"), each blob verified.
 *
 * @param manifest the manifest's descriptor; its digest is the image's identity
 * @param config the config's descriptor
 * @param layers the layer descriptors, base first
 * @param diffIds the config's {@code rootfs.diff_ids}, one per layer
 * @param manifestJson the manifest's bytes
 * @param configJson the config's bytes
 * @param refName the index's {@code org.opencontainers.image.ref.name} for it, or null
 */
record OciManifest(
    Descriptor manifest,
    Descriptor config,
    List<Descriptor> layers,
    List<Digest> diffIds,
    byte[] manifestJson,
    byte[] configJson,
    String refName) {
  static final String INDEX = "application/vnd.oci.image.index.v1+json";
  static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  static final String LAYER_GZIP = LAYER_TAR + "+gzip";
  static final String LAYER_ZSTD = LAYER_TAR + "+zstd";
  static final String REF_NAME = "org.opencontainers.image.ref.name";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads the layout's image: the one linux/amd64 (or platform-less) manifest its index names, or
   * the one whose ref name is {@code ref}.
   */
  static OciManifest read(BlobDir blobs, String ref) throws IOException {
    JsonNode layout = parse(blobs.topFile("oci-layout"), "oci-layout");
    if (!"1.0.0".equals(layout.path("imageLayoutVersion").asText())) {
      throw refuse("oci-layout: imageLayoutVersion is not 1.0.0");
    }
    JsonNode index = parse(blobs.topFile("index.json"), "index.json");
    List<Descriptor> found = new ArrayList<>();
    collect(blobs, index, "index.json", found, 0);
    List<Descriptor> chosen =
        found.stream()
            .filter(d -> ref == null || ref.equals(d.annotations().get(REF_NAME)))
            .toList();
    if (chosen.size() != 1) {
      throw refuse(
          "the layout names "
              + chosen.size()
              + " linux/amd64 image manifests"
              + (ref == null ? "" : " with ref name " + ref)
              + (chosen.isEmpty() ? "" : "; choose one by ref name")
              + " (ref names: "
              + found.stream().map(d -> d.annotations().getOrDefault(REF_NAME, "-")).toList()
              + ")");
    }
    Descriptor md = chosen.get(0);
    byte[] mbytes = blobs.json(md);
    JsonNode m = parse(mbytes, "manifest " + md.digest());
    if (m.path("schemaVersion").asInt() != 2) {
      throw refuse("manifest " + md.digest() + ": schemaVersion is not 2");
    }
    if (m.has("mediaType") && !MANIFEST.equals(m.get("mediaType").asText())) {
      throw refuse("manifest " + md.digest() + ": mediaType " + m.get("mediaType").asText());
    }
    Descriptor config = Descriptor.of(m.get("config"), "manifest.config");
    if (!CONFIG.equals(config.mediaType())) {
      throw refuse("manifest " + md.digest() + ": config mediaType " + config.mediaType());
    }
    List<Descriptor> layers = new ArrayList<>();
    JsonNode ls = m.get("layers");
    if (ls == null || !ls.isArray()) {
      throw refuse("manifest " + md.digest() + ": no layers array");
    }
    for (int i = 0; i < ls.size(); i++) {
      Descriptor l = Descriptor.of(ls.get(i), "manifest.layers[" + i + "]");
      if (!List.of(LAYER_TAR, LAYER_GZIP, LAYER_ZSTD).contains(l.mediaType())) {
        throw refuse("layer " + l.digest() + ": unsupported mediaType " + l.mediaType());
      }
      layers.add(l);
    }
    byte[] cbytes = blobs.json(config);
    JsonNode c = parse(cbytes, "config " + config.digest());
    if (!"linux".equals(c.path("os").asText())
        || !"amd64".equals(c.path("architecture").asText())) {
      throw refuse(
          "config "
              + config.digest()
              + ": image is "
              + c.path("os").asText()
              + "/"
              + c.path("architecture").asText()
              + ", this runner runs linux/amd64");
    }
    JsonNode ids = c.path("rootfs").path("diff_ids");
    if (!"layers".equals(c.path("rootfs").path("type").asText())
        || !ids.isArray()
        || ids.size() != layers.size()) {
      throw refuse("config " + config.digest() + ": rootfs.diff_ids does not match the layers");
    }
    List<Digest> diffIds = new ArrayList<>();
    ids.forEach(n -> diffIds.add(Digest.parse(n.asText())));
    return new OciManifest(
        md, config, layers, diffIds, mbytes, cbytes, md.annotations().get(REF_NAME));
  }

  private static void collect(
      BlobDir blobs, JsonNode index, String where, List<Descriptor> out, int depth)
      throws IOException {
    if (index.path("schemaVersion").asInt() != 2 || !index.path("manifests").isArray()) {
      throw refuse(where + ": not an image index (schemaVersion 2, manifests)");
    }
    JsonNode ms = index.get("manifests");
    for (int i = 0; i < ms.size(); i++) {
      Descriptor d = Descriptor.of(ms.get(i), where + ".manifests[" + i + "]");
      JsonNode platform = ms.get(i).get("platform");
      if (platform != null
          && !("linux".equals(platform.path("os").asText())
              && "amd64".equals(platform.path("architecture").asText()))) {
        continue;
      }
      if (d.mediaType().equals(INDEX)) {
        if (depth > 2) {
          throw refuse(where + ": image indexes nested too deep");
        }
        collect(
            blobs,
            parse(blobs.json(d), "index " + d.digest()),
            "index " + d.digest(),
            out,
            depth + 1);
      } else if (d.mediaType().equals(MANIFEST)) {
        out.add(d);
      }
    }
  }

  private static JsonNode parse(byte[] b, String what) {
    try {
      JsonNode n = JSON.readTree(b);
      if (n == null || !n.isObject()) {
        throw refuse(what + " is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw refuse(what + " is not JSON: " + e.getMessage().split("\n")[0]);
    }
  }
}
