package dev.eventkit.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A release build's CHANGELOG.md (Keep a Changelog) has the entry of the version it builds, dated
 * the release date the build stamps everywhere else, below the Unreleased section.
 *
 * <p>Usage: {@code ChangelogCheck <CHANGELOG.md> <version> <yyyy-mm-dd>}.
 */
public final class ChangelogCheck {

  private ChangelogCheck() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("Usage: ChangelogCheck <CHANGELOG.md> <version> <date>");
    }
    List<String> problems = check(Files.readAllLines(Path.of(args[0])), args[1], args[2]);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(args[0] + ":\n  " + String.join("\n  ", problems));
    }
  }

  static List<String> check(List<String> lines, String version, String date) {
    if (version.endsWith("-SNAPSHOT")) {
      return List.of("a release has no -SNAPSHOT version: " + version);
    }
    int unreleased = lines.indexOf("## [Unreleased]");
    String heading = "## [" + version + "] - " + date;
    int entry = lines.indexOf(heading);
    if (entry < 0) {
      return List.of(
          "no '" + heading + "' entry: move the Unreleased changes under it before releasing");
    }
    if (unreleased < 0 || unreleased > entry) {
      return List.of("'## [Unreleased]' must stay above '" + heading + "'");
    }
    for (String line : lines.subList(unreleased + 1, entry)) {
      if (line.startsWith("## [")) {
        return List.of("'" + line + "' lies between Unreleased and " + version);
      }
    }
    return List.of();
  }
}
