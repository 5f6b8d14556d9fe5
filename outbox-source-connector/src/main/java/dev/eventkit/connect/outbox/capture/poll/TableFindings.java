package dev.eventkit.connect.outbox.capture.poll;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What checking an outbox table found, keyed by the config option at fault: errors block creation,
 * warnings do not.
 */
public final class TableFindings {
  private final Map<String, List<String>> errors = new LinkedHashMap<>();
  private final Map<String, List<String>> warnings = new LinkedHashMap<>();

  public void error(String option, String message) {
    errors.computeIfAbsent(option, k -> new ArrayList<>()).add(message);
  }

  public void warning(String option, String message) {
    warnings.computeIfAbsent(option, k -> new ArrayList<>()).add(message);
  }

  public Map<String, List<String>> errors() {
    return Collections.unmodifiableMap(errors);
  }

  public Map<String, List<String>> warnings() {
    return Collections.unmodifiableMap(warnings);
  }
}
