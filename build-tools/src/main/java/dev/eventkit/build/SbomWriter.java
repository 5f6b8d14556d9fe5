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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Writes the CycloneDX 1.6 SBOM of what lib/ ships, from the jars maven-dependency-plugin copied in
 * repository layout (each beside its POM): coordinates and package URL from the path, a SHA-256 of
 * the jar, and the licenses its POM (or the nearest parent POM that has any, from the local
 * repository) declares, as SPDX ids where the name or URL is unambiguous. Deterministic: sorted, no
 * timestamp, a serial number derived from the content. It reads only local files, so it works
 * offline (the CycloneDX Maven plugin requires online mode and is skipped in {@code -o} builds).
 *
 * <p>A library bundled inside a jar (shaded and relocated, as Debezium inside the outbox source
 * connector's jar) ships too: it is found by the {@code META-INF/maven/.../pom.properties} the jar
 * carries for it and listed as a nested component of that jar (CycloneDX {@code components}), with
 * the licenses of its POM.
 *
 * <p>Usage: {@code SbomWriter <repository-layout dir> <local repository> <out.json>
 * <group:artifact:version of the component> <own groupId> <own SPDX license>}.
 */
public final class SbomWriter {

  private static final int MAX_PARENTS = 10;

  private SbomWriter() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      throw new IllegalArgumentException(
          "Usage: SbomWriter <repository-layout dir> <local repository> <out.json>"
              + " <group:artifact:version> <own groupId> <own SPDX license>");
    }
    write(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), args[3], args[4], args[5]);
  }

  static void write(
      Path libRepo, Path localRepo, Path out, String component, String ownGroup, String ownLicense)
      throws IOException, NoSuchAlgorithmException {
    List<Path> jars;
    try (var files = Files.walk(libRepo)) {
      jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode bom = json.createObjectNode();
    bom.put("bomFormat", "CycloneDX").put("specVersion", "1.6");
    ObjectNode metadata = json.createObjectNode();
    String[] gav = component.split(":");
    metadata
        .putObject("component")
        .put("type", "application")
        .put("bom-ref", purl(gav[0], gav[1], gav[2], "zip"))
        .put("group", gav[0])
        .put("name", gav[1])
        .put("version", gav[2])
        .put("purl", purl(gav[0], gav[1], gav[2], "zip"))
        .putArray("licenses")
        .addObject()
        .putObject("license")
        .put("id", ownLicense);
    metadata
        .putObject("tools")
        .putArray("components")
        .addObject()
        .put("type", "application")
        .put("group", "dev.eventkit")
        .put("name", "eventkit-build-tools SbomWriter");
    ArrayNode components = json.createArrayNode();
    StringBuilder identity = new StringBuilder(component);
    for (Path jar : jars) {
      Path versionDir = jar.getParent();
      Path artifactDir = versionDir.getParent();
      String version = versionDir.getFileName().toString();
      String artifact = artifactDir.getFileName().toString();
      String group =
          libRepo
              .relativize(artifactDir.getParent())
              .toString()
              .replace(java.io.File.separatorChar, '.');
      if (!jar.getFileName().toString().equals(artifact + "-" + version + ".jar")) {
        throw new IllegalStateException(
            jar + " is not in repository layout (or has a classifier, which lib/ never ships)");
      }
      String purl = purl(group, artifact, version, "jar");
      identity.append('|').append(purl);
      ObjectNode c = components.addObject();
      c.put("type", "library")
          .put("bom-ref", purl)
          .put("group", group)
          .put("name", artifact)
          .put("version", version)
          .put("purl", purl);
      c.putArray("hashes").addObject().put("alg", "SHA-256").put("content", sha256(jar));
      List<PomLicense> declared =
          group.equals(ownGroup)
              ? List.of(new PomLicense(ownLicense, null))
              : licenses(versionDir.resolve(artifact + "-" + version + ".pom"), localRepo);
      putLicenses(c, declared);
      List<Bundled> bundled = bundled(jar, group, artifact);
      if (!bundled.isEmpty()) {
        ArrayNode nested = c.putArray("components");
        for (Bundled b : bundled) {
          String bundledPurl = purl(b.group(), b.name(), b.version(), "jar");
          identity.append('>').append(bundledPurl);
          ObjectNode n = nested.addObject();
          n.put("type", "library")
              .put("bom-ref", bundledPurl)
              .put("group", b.group())
              .put("name", b.name())
              .put("version", b.version())
              .put("purl", bundledPurl)
              .put("description", "Bundled in " + artifact + "-" + version + ".jar, relocated");
          putLicenses(n, licenses(bundledPom(b, jar, localRepo), localRepo));
        }
      }
    }
    bom.put(
        "serialNumber",
        "urn:uuid:" + UUID.nameUUIDFromBytes(identity.toString().getBytes(StandardCharsets.UTF_8)));
    bom.put("version", 1);
    bom.set("metadata", metadata);
    bom.set("components", components);
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.NONE));
    Files.createDirectories(out.getParent());
    Files.writeString(
        out, json.writer(printer).writeValueAsString(bom) + "\n", StandardCharsets.UTF_8);
  }

  private static void putLicenses(ObjectNode component, List<PomLicense> declared) {
    ArrayNode licenses = component.putArray("licenses");
    for (PomLicense license : declared) {
      String spdx = spdx(license);
      ObjectNode node = licenses.addObject().putObject("license");
      if (spdx != null) {
        node.put("id", spdx);
      } else {
        node.put("name", license.name());
      }
      if (license.url() != null && !license.url().isBlank()) {
        node.put("url", license.url());
      }
    }
  }

  /** A library bundled (shaded) inside a jar, as its META-INF/maven pom.properties names it. */
  record Bundled(String group, String name, String version, String pomXmlEntry) {}

  /**
   * The libraries a jar bundles: every {@code META-INF/maven/<group>/<artifact>/pom.properties} but
   * the jar's own, sorted.
   */
  static List<Bundled> bundled(Path jar, String group, String artifact) throws IOException {
    List<Bundled> found = new ArrayList<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (ZipEntry entry : zip.stream().toList()) {
        String name = entry.getName();
        if (!name.startsWith("META-INF/maven/") || !name.endsWith("/pom.properties")) {
          continue;
        }
        Properties pom = new Properties();
        try (InputStream in = zip.getInputStream(entry)) {
          pom.load(in);
        }
        String g = pom.getProperty("groupId");
        String a = pom.getProperty("artifactId");
        if (g == null || a == null || (g.equals(group) && a.equals(artifact))) {
          continue;
        }
        found.add(
            new Bundled(
                g,
                a,
                pom.getProperty("version"),
                name.substring(0, name.length() - "pom.properties".length()) + "pom.xml"));
      }
    }
    found.sort(Comparator.comparing((Bundled b) -> b.group()).thenComparing(Bundled::name));
    return found;
  }

  /** The POM of a bundled library: from the local repository, else the copy the jar carries. */
  private static Path bundledPom(Bundled b, Path jar, Path localRepo) throws IOException {
    Path pom = pomIn(localRepo, b.group(), b.name(), b.version());
    if (Files.isRegularFile(pom)) {
      return pom;
    }
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry entry = zip.getEntry(b.pomXmlEntry());
      if (entry == null) {
        throw new IllegalStateException(
            jar + " bundles " + b.group() + ":" + b.name() + " but no POM of it is at hand");
      }
      Path copy = Files.createTempFile("bundled-", ".pom");
      copy.toFile().deleteOnExit();
      try (InputStream in = zip.getInputStream(entry)) {
        Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      return copy;
    }
  }

  /** A license as a POM declares it. */
  record PomLicense(String name, String url) {}

  /** The licenses of a POM, or of its nearest parent that declares any. */
  static List<PomLicense> licenses(Path pom, Path localRepo) throws IOException {
    Path current = pom;
    for (int depth = 0; depth <= MAX_PARENTS; depth++) {
      if (!Files.isRegularFile(current)) {
        throw new IllegalStateException("No POM at " + current + " to read the license from");
      }
      Element project = parse(current);
      List<PomLicense> found = new ArrayList<>();
      Element licenses = child(project, "licenses");
      if (licenses != null) {
        for (Node n = licenses.getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n instanceof Element license && license.getTagName().equals("license")) {
            found.add(new PomLicense(text(license, "name"), text(license, "url")));
          }
        }
      }
      if (!found.isEmpty()) {
        return found;
      }
      Element parent = child(project, "parent");
      if (parent == null) {
        return List.of();
      }
      String group = text(parent, "groupId");
      String artifact = text(parent, "artifactId");
      String version = text(parent, "version");
      current = pomIn(localRepo, group, artifact, version);
      // A chained local repository (-Dmaven.repo.local.tail, Maven 3.9) may hold the parent
      // instead.
      for (String tail : System.getProperty("maven.repo.local.tail", "").split(",")) {
        if (!Files.isRegularFile(current) && !tail.isBlank()) {
          current = pomIn(Path.of(tail.trim()), group, artifact, version);
        }
      }
    }
    return List.of();
  }

  private static Path pomIn(Path repo, String group, String artifact, String version) {
    return repo.resolve(group.replace('.', '/'))
        .resolve(artifact)
        .resolve(version)
        .resolve(artifact + "-" + version + ".pom");
  }

  /** The SPDX id of a POM license, where its name or URL says it unambiguously. */
  static String spdx(PomLicense license) {
    String name = license.name() == null ? "" : license.name().trim();
    String n = name.toLowerCase(Locale.ROOT);
    String url = license.url() == null ? "" : license.url().toLowerCase(Locale.ROOT);
    if (name.matches("[A-Za-z0-9.+-]+") && SPDX_IDS.contains(name)) {
      return name;
    }
    if ((n.contains("apache") && n.contains("2.0"))
        || url.contains("apache.org/licenses/license-2.0")) {
      return "Apache-2.0";
    }
    if (n.equals("mit")
        || n.equals("the mit license")
        || n.equals("mit license")
        || url.contains("opensource.org/licenses/mit")
        || url.contains("opensource.org/license/mit")) {
      return "MIT";
    }
    if (n.contains("bsd 2-clause") || n.contains("simplified bsd")) {
      return "BSD-2-Clause";
    }
    if (n.contains("bsd 3-clause") || n.contains("new bsd") || n.contains("revised bsd")) {
      return "BSD-3-Clause";
    }
    return null;
  }

  private static final java.util.Set<String> SPDX_IDS =
      java.util.Set.of(
          "Apache-2.0",
          "MIT",
          "BSD-2-Clause",
          "BSD-3-Clause",
          "ISC",
          "CC0-1.0",
          "EPL-1.0",
          "EPL-2.0",
          "MPL-2.0",
          "LGPL-2.1-only",
          "LGPL-2.1-or-later",
          "LGPL-3.0-only",
          "LGPL-3.0-or-later",
          "GPL-2.0-only",
          "GPL-2.0-or-later",
          "GPL-3.0-only",
          "GPL-3.0-or-later",
          "AGPL-3.0-only",
          "AGPL-3.0-or-later");

  private static String purl(String group, String artifact, String version, String type) {
    return "pkg:maven/" + group + "/" + artifact + "@" + version + "?type=" + type;
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      digest.update(in.readAllBytes());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static Element parse(Path pom) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      Document doc = factory.newDocumentBuilder().parse(pom.toFile());
      return doc.getDocumentElement();
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("Cannot read " + pom, e);
    }
  }

  private static Element child(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e;
      }
    }
    return null;
  }

  private static String text(Element parent, String tag) {
    Element e = child(parent, tag);
    return e == null ? null : e.getTextContent().trim();
  }
}
