package dev.eventkit.packaging.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The README's compatibility table, read as the suite checks it: the "tested" cell of each row,
 * keyed by the row's first cell, from the first table under {@code ## Compatibility}.
 */
final class CompatibilityTable {

  static final String CONNECT_ROW = "Kafka Connect workers";
  static final String BROKER_ROW = "Kafka broker";
  static final String JAVA_ROW = "Java";
  static final String POSTGRES_ROW = "PostgreSQL";
  static final String MARIADB_ROW = "MariaDB";

  private CompatibilityTable() {}

  static Map<String, String> read(Path readme) throws IOException {
    List<String> lines = Files.readAllLines(readme);
    int start = lines.indexOf("## Compatibility");
    if (start < 0) {
      throw new IllegalStateException(readme + " has no '## Compatibility' section");
    }
    Map<String, String> rows = new LinkedHashMap<>();
    boolean inTable = false;
    boolean pastHeader = false;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (!line.startsWith("|")) {
        if (inTable) {
          break;
        }
        continue;
      }
      inTable = true;
      String[] cells = line.split("\\|", -1);
      if (cells.length < 4) {
        continue;
      }
      if (cells[1].trim().startsWith("---")) {
        pastHeader = true;
        continue;
      }
      if (pastHeader) {
        rows.put(strip(cells[1]), strip(cells[2]));
      }
    }
    if (rows.isEmpty()) {
      throw new IllegalStateException(readme + " has no table under '## Compatibility'");
    }
    return rows;
  }

  /** The exact version of a cell like {@code 10.11 (10.11.5)}: the one in parentheses, if any. */
  static String exactVersion(String cell) {
    int open = cell.indexOf('(');
    int close = cell.indexOf(')', open + 1);
    return open >= 0 && close > open ? cell.substring(open + 1, close).trim() : cell.trim();
  }

  private static String strip(String cell) {
    return cell.replace("`", "").replace("*", "").trim();
  }
}
