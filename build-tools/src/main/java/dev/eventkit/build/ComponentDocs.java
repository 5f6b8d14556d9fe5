package dev.eventkit.build;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Writes the component's license documentation from the SBOM of what lib/ ships: {@code
 * doc/licenses/LICENSES.md} (every jar, its coordinates and license), the full text of each license
 * and the license and notice files each jar carries itself; and sets manifest.json's {@code
 * license} list to the component's own license followed by every other license in lib/.
 *
 * <p>Usage: {@code ComponentDocs <sbom.json> <dir holding the lib/ jars, at any depth> <license
 * texts dir> <manifest.json> <out dir>}. Fails when a component's license is not allowed ({@link
 * LicensePolicy}) or has no text.
 */
public final class ComponentDocs {

  private ComponentDocs() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 5) {
      throw new IllegalArgumentException(
          "Usage: ComponentDocs <sbom.json> <lib dir> <license texts dir> <manifest.json> <out dir>");
    }
    write(
        Sbom.read(Path.of(args[0])),
        Path.of(args[1]),
        Path.of(args[2]),
        Path.of(args[3]),
        Path.of(args[4]));
  }

  static void write(Sbom sbom, Path lib, Path texts, Path manifest, Path out) throws IOException {
    Files.createDirectories(out);
    List<String> refused = new ArrayList<>();
    Map<String, LicensePolicy.License> licenseOfJar = new TreeMap<>();
    Map<String, Sbom.Component> componentOfJar = new TreeMap<>();
    Map<String, LicensePolicy.License> used = new TreeMap<>();
    Map<String, Path> jarFiles = new TreeMap<>();
    try (var files = Files.walk(lib)) {
      files
          .filter(p -> p.toString().endsWith(".jar"))
          .forEach(p -> jarFiles.put(p.getFileName().toString(), p));
    }
    for (Sbom.Component c : sbom.components()) {
      var license = LicensePolicy.allowed(c);
      if (license.isEmpty()) {
        refused.add(LicensePolicy.refusal(c));
        continue;
      }
      licenseOfJar.put(c.jarName(), license.get());
      componentOfJar.put(c.jarName(), c);
      used.put(license.get().spdx(), license.get());
      for (Sbom.Component b : c.bundled()) {
        var bundledLicense = LicensePolicy.allowed(b);
        if (bundledLicense.isEmpty()) {
          refused.add(LicensePolicy.refusal(b) + " (bundled in " + c.jarName() + ")");
          continue;
        }
        used.put(bundledLicense.get().spdx(), bundledLicense.get());
      }
    }
    if (!refused.isEmpty()) {
      throw new IllegalStateException(
          "Licenses not allowed in lib/:\n  " + String.join("\n  ", refused));
    }

    StringBuilder md = new StringBuilder();
    md.append("# Licenses of what lib/ ships\n\n")
        .append(
            "Generated at build time from the CycloneDX SBOM of lib/ (`sbom.cdx.json` in this folder).")
        .append(
            " Eventkit's own jars (`dev.eventkit`) are under the Apache License 2.0 (`../LICENSE`);")
        .append(" the full text of every license is in this folder, and the license and notice")
        .append(" files a jar carries itself are copied into a folder named after the jar.")
        .append(" A library marked bundled ships inside that jar, its packages relocated")
        .append(" (`dev.eventkit.shaded.*`), not as a jar of its own.\n\n")
        .append("| lib/ file | artifact | license | text |\n|---|---|---|---|\n");
    for (var entry : componentOfJar.entrySet()) {
      LicensePolicy.License license = licenseOfJar.get(entry.getKey());
      md.append("| `")
          .append(entry.getKey())
          .append("` | `")
          .append(entry.getValue().group())
          .append(':')
          .append(entry.getValue().name())
          .append(':')
          .append(entry.getValue().version())
          .append("` | ")
          .append(license.spdx())
          .append(" | `")
          .append(license.spdx())
          .append(".txt`")
          .append(
              carriedFiles(jarFiles.getOrDefault(entry.getKey(), lib.resolve(entry.getKey())), out)
                  ? ", `" + folder(entry.getKey()) + "/`"
                  : "")
          .append(" |\n");
      for (Sbom.Component b : entry.getValue().bundled()) {
        LicensePolicy.License bundledLicense = LicensePolicy.allowed(b).orElseThrow();
        md.append("| `")
            .append(entry.getKey())
            .append("` (bundled, relocated) | `")
            .append(b.coordinates())
            .append("` | ")
            .append(bundledLicense.spdx())
            .append(" | `")
            .append(bundledLicense.spdx())
            .append(".txt` |\n");
      }
    }
    Files.writeString(out.resolve("LICENSES.md"), md.toString(), StandardCharsets.UTF_8);

    for (LicensePolicy.License license : used.values()) {
      Path text = texts.resolve(license.spdx() + ".txt");
      if (!Files.isRegularFile(text)) {
        throw new IllegalStateException(
            "No text for license "
                + license.spdx()
                + ": add "
                + text
                + " (the license's full text)");
      }
      Files.copy(
          text,
          out.resolve(license.spdx() + ".txt"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(manifest.toFile());
    ArrayNode licenses = root.putArray("license");
    LicensePolicy.License own = used.get("Apache-2.0");
    List<LicensePolicy.License> ordered = new ArrayList<>(used.values());
    ordered.sort(
        Comparator.comparing((LicensePolicy.License l) -> !l.spdx().equals("Apache-2.0"))
            .thenComparing(LicensePolicy.License::spdx));
    if (own == null) {
      throw new IllegalStateException(
          "The SBOM holds no Apache-2.0 component: not Eventkit's lib/");
    }
    for (LicensePolicy.License license : ordered) {
      licenses.addObject().put("name", license.name()).put("url", license.url());
    }
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.NONE));
    Files.writeString(
        manifest, json.writer(printer).writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
  }

  private static String folder(String jarName) {
    return jarName.substring(0, jarName.length() - ".jar".length());
  }

  /** Copies the jar's own LICENSE / NOTICE files; whether it had any. */
  private static boolean carriedFiles(Path jar, Path out) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "The SBOM lists " + jar.getFileName() + " but " + jar + " does not exist");
    }
    boolean any = false;
    try (JarFile file = new JarFile(jar.toFile())) {
      List<JarEntry> entries =
          file.stream().sorted(Comparator.comparing(JarEntry::getName)).toList();
      for (JarEntry entry : entries) {
        String name = entry.getName();
        String base = name.substring(name.lastIndexOf('/') + 1).toUpperCase(java.util.Locale.ROOT);
        if (entry.isDirectory()
            || !name.startsWith("META-INF/")
            || !(base.startsWith("LICENSE")
                || base.startsWith("NOTICE")
                || base.endsWith("-LICENSE")
                || base.endsWith("-LICENSE.TXT"))) {
          continue;
        }
        Path target =
            out.resolve(folder(jar.getFileName().toString()))
                .resolve(name.substring("META-INF/".length()))
                .normalize();
        if (!target.startsWith(out)) {
          continue;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = file.getInputStream(entry)) {
          Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        any = true;
      }
    }
    return any;
  }
}
