package dev.eventkit.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** The Confluent Hub zip the build produced, and what installing it on a worker means. */
public final class ComponentArchive {

  /** The zip of this build (the failsafe configuration passes its path). */
  public static final Path ZIP =
      Path.of(System.getProperty("eventkit.component.zip", "target/component.zip"));

  private ComponentArchive() {}

  /**
   * Unpacks the zip into {@code pluginPath}, as {@code confluent-hub install} or an operator does,
   * and returns the component directory ({@code pluginPath/<component name>}).
   */
  public static Path install(Path pluginPath) throws IOException {
    Path root = pluginPath.toAbsolutePath().normalize();
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(ZIP))) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        Path target = root.resolve(entry.getName()).normalize();
        if (!target.startsWith(root)) {
          throw new IOException("Zip entry escapes the plugin directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(zip, target);
        }
      }
    }
    try (var dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }
}
