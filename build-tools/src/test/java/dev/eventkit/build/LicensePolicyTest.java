package dev.eventkit.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LicensePolicyTest {

  private static Sbom.Component component(String group, String name, String... licenses) {
    return new Sbom.Component(group, name, "1.0", List.of(licenses));
  }

  @Test
  void permissiveLicensesAreAllowed() {
    assertThat(LicensePolicy.allowed(component("org.postgresql", "postgresql", "BSD-2-Clause")))
        .hasValueSatisfying(l -> assertThat(l.name()).isEqualTo("BSD 2-Clause License"));
    assertThat(LicensePolicy.allowed(component("a", "b", "MIT"))).isPresent();
  }

  @Test
  void theLgplIsAllowedOnlyForTheReviewedDriver() {
    assertThat(
            LicensePolicy.allowed(
                component("org.mariadb.jdbc", "mariadb-java-client", "LGPL-2.1-or-later")))
        .isPresent();
    assertThat(LicensePolicy.allowed(component("org.example", "other", "LGPL-2.1-or-later")))
        .isEmpty();
  }

  @Test
  void strongCopyleftAndUnknownLicensesAreRefused() {
    assertThat(LicensePolicy.allowed(component("a", "b", "GPL-2.0-only"))).isEmpty();
    assertThat(LicensePolicy.allowed(component("a", "b", "AGPL-3.0-only"))).isEmpty();
    assertThat(LicensePolicy.allowed(component("a", "b"))).isEmpty();
    assertThat(LicensePolicy.refusal(component("a", "b"))).contains("declares no license");
  }

  @Test
  void oneAllowedAlternativeSuffices() {
    assertThat(LicensePolicy.allowed(component("a", "b", "GPL-2.0-only", "Apache-2.0")))
        .hasValueSatisfying(l -> assertThat(l.spdx()).isEqualTo("Apache-2.0"));
  }
}
