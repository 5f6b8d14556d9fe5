package dev.eventkit.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Builds the component zip a second time, from a copy of the source tree in another directory, in
 * another time zone and at a later time, and compares it byte for byte with the zip of this build.
 * A difference fails with the entries that differ (content, time, order or extra fields). The umask
 * is inherited: Maven's archivers keep the file modes they find, so builds under different umasks
 * differ in the modes of jar entries (build releases under umask 022).
 *
 * <p>Usage: {@code ReproducibleBuildCheck <source root> <zip of this build> <work dir> <maven
 * args...>}: the second build runs {@code ./mvnw} in the copy with the given arguments and must
 * leave the zip at the same path relative to the root.
 */
public final class ReproducibleBuildCheck {

  private static final Set<String> SKIPPED_DIRS = Set.of("target", ".git", ".idea", ".vscode");
  private static final long BUILD_TIMEOUT_MINUTES = 10;

  private ReproducibleBuildCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      throw new IllegalArgumentException(
          "Usage: ReproducibleBuildCheck <source root> <zip> <work dir> <maven args...>");
    }
    Path root = Path.of(args[0]).toAbsolutePath().normalize();
    Path zip = Path.of(args[1]).toAbsolutePath().normalize();
    Path work = Path.of(args[2]).toAbsolutePath().normalize();
    List<String> mavenArgs = List.of(args).subList(3, args.length);

    Path copy = work.resolve("source");
    deleteTree(work);
    copyTree(root, copy);
    List<String> command = new ArrayList<>();
    command.add(copy.resolve("mvnw").toString());
    command.addAll(mavenArgs);
    Path log = work.resolve("build.log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(copy.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("TZ", "Pacific/Kiritimati");
    builder.environment().remove("MAVEN_ARGS");
    System.out.println("[eventkit] building the component again in " + copy);
    Process process = builder.start();
    if (!process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "The second build took over " + BUILD_TIMEOUT_MINUTES + " minutes; see " + log);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "The second build failed (exit " + process.exitValue() + "); see " + log);
    }
    Path second = copy.resolve(root.relativize(zip));
    List<String> differences = compare(zip, second);
    if (!differences.isEmpty()) {
      throw new IllegalStateException(
          "The component zip is not reproducible: "
              + zip
              + " and "
              + second
              + " differ:\n  "
              + String.join("\n  ", differences));
    }
    System.out.println(
        "[eventkit] reproducible: the second build's zip has the same "
            + Files.size(zip)
            + " bytes, sha256 "
            + sha256(zip));
    deleteTree(copy);
  }

  /** What differs between two zips; empty when their bytes are equal. */
  static List<String> compare(Path first, Path second) throws IOException {
    if (!Files.exists(second)) {
      return List.of("the second build left no " + second);
    }
    if (java.util.Arrays.equals(Files.readAllBytes(first), Files.readAllBytes(second))) {
      return List.of();
    }
    List<String> differences = new ArrayList<>();
    Map<String, String> a = describe(first);
    Map<String, String> b = describe(second);
    if (!List.copyOf(a.keySet()).equals(List.copyOf(b.keySet()))) {
      differences.add("entries or their order differ: " + a.keySet() + " vs " + b.keySet());
    }
    a.forEach(
        (name, description) -> {
          String other = b.get(name);
          if (other != null && !other.equals(description)) {
            differences.add(name + ": " + description + " vs " + other);
          }
        });
    if (differences.isEmpty()) {
      differences.add("same entries, contents, times and modes, other bytes (zip metadata)");
    }
    return differences;
  }

  /** Entry name → crc, size, time and unix mode, in the zip's own order. */
  private static Map<String, String> describe(Path zip) throws IOException {
    Map<String, String> entries = new java.util.LinkedHashMap<>();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (ZipEntry e : file.stream().toList()) {
        entries.put(
            e.getName(),
            "crc "
                + Long.toHexString(e.getCrc())
                + ", size "
                + e.getSize()
                + ", time "
                + e.getLastModifiedTime()
                + ", extra "
                + HexFormat.of().formatHex(e.getExtra() == null ? new byte[0] : e.getExtra()));
      }
    }
    return entries;
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      digest.update(in.readAllBytes());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            if (!dir.equals(from) && SKIPPED_DIRS.contains(dir.getFileName().toString())) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            Files.createDirectories(to.resolve(from.relativize(dir).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Path target = to.resolve(from.relativize(file).toString());
            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
