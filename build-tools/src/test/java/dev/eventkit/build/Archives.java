package dev.eventkit.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds small jars, component zips and SBOMs for the build-tools tests. */
final class Archives {

  private Archives() {}

  /** A jar with a pom.properties for its coordinates (unless group is null) and the classes. */
  static byte[] jar(String group, String artifact, String version, String... classes)
      throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    if (group != null) {
      entries.put(
          "META-INF/maven/" + group + "/" + artifact + "/pom.properties",
          ("groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    for (String c : classes) {
      entries.put(c, new byte[] {(byte) 0xCA, (byte) 0xFE});
    }
    return zipBytes(entries, 0);
  }

  static byte[] zipBytes(Map<String, byte[]> entries, long time) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (var e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setLastModifiedTime(FileTime.fromMillis(time));
        zip.putNextEntry(entry);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** A component zip: manifest, doc/licenses and the given lib/ jars. */
  static Path component(
      Path dir, Map<String, byte[]> lib, List<String> manifestLicenses, List<String> texts)
      throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    String root = "eventkit-test/";
    StringBuilder manifest = new StringBuilder("{\"name\": \"x\", \"license\": [");
    for (int i = 0; i < manifestLicenses.size(); i++) {
      manifest
          .append(i == 0 ? "" : ",")
          .append("{\"name\": \"")
          .append(manifestLicenses.get(i))
          .append("\"}");
    }
    manifest.append("]}");
    entries.put(root + "manifest.json", manifest.toString().getBytes(StandardCharsets.UTF_8));
    StringBuilder doc = new StringBuilder("| lib/ file |\n");
    lib.keySet().forEach(j -> doc.append("| `").append(j).append("` |\n"));
    entries.put(root + "doc/licenses/LICENSES.md", doc.toString().getBytes(StandardCharsets.UTF_8));
    for (String text : texts) {
      entries.put(root + "doc/licenses/" + text + ".txt", text.getBytes(StandardCharsets.UTF_8));
    }
    lib.forEach((name, jar) -> entries.put(root + "lib/" + name, jar));
    Path zip = dir.resolve("component.zip");
    Files.write(zip, zipBytes(entries, 0));
    return zip;
  }

  /** A jar with a pom.properties for its coordinates and the given entries, text contents. */
  static byte[] jarWith(String group, String artifact, String version, Map<String, String> files)
      throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(
        "META-INF/maven/" + group + "/" + artifact + "/pom.properties",
        ("groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n")
            .getBytes(StandardCharsets.UTF_8));
    files.forEach((name, text) -> entries.put(name, text.getBytes(StandardCharsets.UTF_8)));
    return zipBytes(entries, 0);
  }

  /** The pom.properties entry a shaded jar keeps for a library it bundles. */
  static Map.Entry<String, String> bundledPom(String group, String artifact, String version) {
    return Map.entry(
        "META-INF/maven/" + group + "/" + artifact + "/pom.properties",
        "groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n");
  }

  /**
   * A CycloneDX SBOM of {@code group:name:version:license} items (license "" for none); an item may
   * list libraries bundled in its jar after {@code >}: {@code g:n:v:l>g:n:v:l>...}.
   */
  static Path sbom(Path dir, String... components) throws IOException {
    Path file = dir.resolve("sbom.json");
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(
          ("{\"bomFormat\": \"CycloneDX\", \"components\": " + componentsJson(components) + "}")
              .getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }

  private static String componentsJson(String... components) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < components.length; i++) {
      String[] items = components[i].split(">");
      String[] parts = items[0].split(":", -1);
      json.append(i == 0 ? "" : ",")
          .append("{\"group\": \"")
          .append(parts[0])
          .append("\", \"name\": \"")
          .append(parts[1])
          .append("\", \"version\": \"")
          .append(parts[2])
          .append("\", \"licenses\": [");
      if (!parts[3].isEmpty()) {
        json.append("{\"license\": {\"id\": \"").append(parts[3]).append("\"}}");
      }
      json.append("]");
      if (items.length > 1) {
        json.append(", \"components\": ")
            .append(componentsJson(java.util.Arrays.copyOfRange(items, 1, items.length)));
      }
      json.append("}");
    }
    return json.append("]").toString();
  }
}
