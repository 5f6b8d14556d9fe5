package dev.eventkit.testkit.connect.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kafka Connect version's worker class path, as resolved by its module under {@code
 * compat-workers/} (connect-runtime of that version and what it declares, nothing of this build).
 *
 * @param version the connect-runtime version on the class path, e.g. {@code 3.9.2}
 * @param classpath the class path, in the platform's separator
 */
public record WorkerDistribution(String version, String classpath) {

  private static final Pattern RUNTIME_JAR =
      Pattern.compile("connect-runtime-(\\d+\\.\\d+\\.\\d+)\\.jar$");

  /** Reads a {@code worker.classpath} file written by maven-dependency-plugin. */
  public static WorkerDistribution read(Path classpathFile) {
    String classpath;
    try {
      classpath = Files.readString(classpathFile).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "No worker class path at " + classpathFile + ": build its compat-workers module", e);
    }
    List<String> versions = new ArrayList<>();
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      Matcher m = RUNTIME_JAR.matcher(entry);
      if (m.find()) {
        versions.add(m.group(1));
      }
    }
    if (versions.size() != 1) {
      throw new IllegalStateException(
          classpathFile + " should hold one connect-runtime jar, holds " + versions);
    }
    return new WorkerDistribution(versions.get(0), classpath);
  }

  /** The distributions named by the comma-separated system property of their class path files. */
  public static List<WorkerDistribution> configured(String property) {
    String files = System.getProperty(property, "");
    if (files.isBlank()) {
      throw new IllegalStateException("System property " + property + " names no worker");
    }
    return Arrays.stream(files.split(","))
        .map(String::trim)
        .map(Path::of)
        .map(WorkerDistribution::read)
        .toList();
  }

  /** The entries of the class path. */
  public List<Path> entries() {
    return Arrays.stream(classpath.split(java.io.File.pathSeparator)).map(Path::of).toList();
  }

  /** A short name usable in topic and group names, e.g. {@code c392}. */
  public String topicPrefix() {
    return "c" + version.replace(".", "");
  }

  @Override
  public String toString() {
    return "Kafka Connect " + version;
  }
}
