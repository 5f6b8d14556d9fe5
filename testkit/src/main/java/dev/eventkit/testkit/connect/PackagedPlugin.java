package dev.eventkit.testkit.connect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** The plugin zip the packaging module builds, unpacked as users install it on a worker. */
public final class PackagedPlugin {

  private PackagedPlugin() {}

  /**
   * Unpacks the zip of {@code version} under {@code <home>/packaging/target/components/packages}
   * into a new temporary directory and returns it, for a worker's {@code plugin.path}.
   *
   * @param home the project's root directory
   * @param version the project version whose zip to take, or null when only one zip is there
   */
  public static Path unpack(Path home, String version) throws IOException {
    Path packages = home.resolve("packaging/target/components/packages");
    List<Path> zips;
    try (var files = Files.list(packages)) {
      zips =
          files
              .filter(p -> p.toString().endsWith(version == null ? ".zip" : "-" + version + ".zip"))
              .toList();
    } catch (IOException e) {
      zips = List.of();
    }
    if (zips.size() != 1) {
      throw new IllegalStateException(
          (zips.isEmpty() ? "No packaged plugin" : "Several packaged plugins " + zips)
              + (version == null ? "" : " of version " + version)
              + " under "
              + packages
              + ": build it with ./mvnw install -DskipTests");
    }
    Path zip = zips.get(0);
    Path target = Files.createTempDirectory("eventkit-plugins");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
        Path file = target.resolve(entry.getName()).normalize();
        if (!file.startsWith(target)) {
          throw new IOException("Zip entry escapes the plugin directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(file);
        } else {
          Files.createDirectories(file.getParent());
          Files.copy(in, file);
        }
      }
    }
    return target;
  }
}
