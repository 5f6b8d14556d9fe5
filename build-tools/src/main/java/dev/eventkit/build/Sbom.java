package dev.eventkit.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The components of a CycloneDX JSON SBOM, with the licenses their POMs declare. */
public record Sbom(List<Component> components) {

  /**
   * One library.
   *
   * @param licenses SPDX ids where the SBOM has them, else license names or expressions
   * @param bundled libraries bundled inside this component's jar (shaded, relocated): CycloneDX
   *     nested components; they ship, but not as jars of their own
   */
  public record Component(
      String group, String name, String version, List<String> licenses, List<Component> bundled) {

    public Component(String group, String name, String version, List<String> licenses) {
      this(group, name, version, licenses, List.of());
    }

    public String coordinates() {
      return group + ":" + name + ":" + version;
    }

    /** The file name Maven gives the jar: {@code name-version.jar}. */
    public String jarName() {
      return name + "-" + version + ".jar";
    }
  }

  public static Sbom read(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    return new Sbom(components(root.path("components")));
  }

  private static List<Component> components(JsonNode array) {
    List<Component> components = new ArrayList<>();
    for (JsonNode c : array) {
      List<String> licenses = new ArrayList<>();
      for (JsonNode l : c.path("licenses")) {
        if (l.has("expression")) {
          licenses.add(l.get("expression").asText());
        } else {
          JsonNode license = l.path("license");
          licenses.add(
              license.hasNonNull("id")
                  ? license.get("id").asText()
                  : license.path("name").asText("unknown"));
        }
      }
      components.add(
          new Component(
              c.path("group").asText(),
              c.path("name").asText(),
              c.path("version").asText(),
              List.copyOf(licenses),
              components(c.path("components"))));
    }
    return List.copyOf(components);
  }

  /** Every component that ships: the lib/ jars and the libraries bundled inside them. */
  public List<Component> shipped() {
    List<Component> all = new ArrayList<>();
    for (Component c : components) {
      all.add(c);
      all.addAll(c.bundled());
    }
    return List.copyOf(all);
  }
}
