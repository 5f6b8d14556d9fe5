package dev.eventkit.build;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which licenses may ship in lib/ next to Apache-2.0 code. Permissive licenses are allowed by SPDX
 * id. A weak-copyleft library is allowed only by name, after review, when it ships unmodified as
 * its own jar (the LGPL's terms for a separate library); strong copyleft (GPL without the classpath
 * exception, AGPL), source-available licenses and a missing license are refused.
 */
public final class LicensePolicy {

  /** SPDX id → display name and canonical URL, for the manifest and the notices. */
  public record License(String spdx, String name, String url) {}

  private static final Map<String, License> PERMISSIVE =
      Map.of(
          "Apache-2.0",
              new License(
                  "Apache-2.0",
                  "Apache License 2.0",
                  "https://www.apache.org/licenses/LICENSE-2.0.txt"),
          "MIT", new License("MIT", "MIT License", "https://opensource.org/license/mit"),
          "BSD-2-Clause",
              new License(
                  "BSD-2-Clause",
                  "BSD 2-Clause License",
                  "https://opensource.org/license/bsd-2-clause"),
          "BSD-3-Clause",
              new License(
                  "BSD-3-Clause",
                  "BSD 3-Clause License",
                  "https://opensource.org/license/bsd-3-clause"),
          "ISC",
              new License("ISC", "ISC License", "https://opensource.org/license/isc-license-txt"),
          "CC0-1.0",
              new License(
                  "CC0-1.0",
                  "Creative Commons Zero v1.0 Universal",
                  "https://creativecommons.org/publicdomain/zero/1.0/legalcode"));

  /** Reviewed exceptions: {@code group:artifact} → the license it may carry. */
  private static final Map<String, License> REVIEWED =
      Map.of(
          // MariaDB Connector/J: LGPL-2.1-or-later, shipped unmodified as its own jar and loaded
          // through JDBC; users may replace it. Its license text ships in doc/licenses.
          "org.mariadb.jdbc:mariadb-java-client",
          new License(
              "LGPL-2.1-or-later",
              "GNU Lesser General Public License v2.1 or later",
              "https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html"));

  private LicensePolicy() {}

  /**
   * The license under which the component may ship, or empty when none of its licenses may. Of
   * several declared licenses, one allowed suffices (Maven POMs list alternatives).
   */
  public static Optional<License> allowed(Sbom.Component component) {
    License reviewed = REVIEWED.get(component.group() + ":" + component.name());
    for (String declared : component.licenses()) {
      if (reviewed != null && reviewed.spdx().equals(declared)) {
        return Optional.of(reviewed);
      }
      License permissive = PERMISSIVE.get(declared);
      if (permissive != null) {
        return Optional.of(permissive);
      }
    }
    return Optional.empty();
  }

  /** Why a component cannot ship, for the build failure. */
  public static String refusal(Sbom.Component component) {
    List<String> declared = component.licenses();
    return component.coordinates()
        + (declared.isEmpty()
            ? " declares no license"
            : " is licensed " + String.join(" / ", declared))
        + ", which is not on the list of licenses compatible with Apache-2.0"
        + " (build-tools LicensePolicy: permissive SPDX ids, or a reviewed exception by name)";
  }
}
