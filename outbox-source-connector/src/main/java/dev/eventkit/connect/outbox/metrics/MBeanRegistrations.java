package dev.eventkit.connect.outbox.metrics;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the plugin's MBeans so that an instance stopping late cannot take a newer instance's
 * registration away. Connect may start a task's or connector's new instance while the old one is
 * still stopping (an orphan past its graceful shutdown); the old one's unregistration must then
 * leave the new one's MBean in place, and an instance never unregisters an MBean of its name that
 * another class loader registered since (another worker's plugin loader in the same JVM). Only
 * registering takes a name over, whoever holds it: the instance registering is the live one.
 */
final class MBeanRegistrations {

  private static final Logger log = LoggerFactory.getLogger(MBeanRegistrations.class);

  /** Who holds each name among the instances of this class loader. */
  private static final Map<ObjectName, Object> OWNERS = new HashMap<>();

  private static final int REGISTER_ATTEMPTS = 3;

  private MBeanRegistrations() {}

  /** Registers {@code bean} under {@code name}, replacing whatever holds the name. */
  static void register(Object bean, ObjectName name) throws JMException {
    synchronized (OWNERS) {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      for (int attempt = 1; ; attempt++) {
        try {
          server.registerMBean(bean, name);
          OWNERS.put(name, bean);
          return;
        } catch (InstanceAlreadyExistsException taken) {
          if (attempt == REGISTER_ATTEMPTS) {
            throw taken;
          }
          try {
            server.unregisterMBean(name);
          } catch (InstanceNotFoundException gone) {
            // Unregistered by its holder meanwhile: try again.
          }
        }
      }
    }
  }

  /**
   * Unregisters {@code name} (nothing when null) if {@code bean} still holds it and it was
   * registered from this class loader. An MBean already gone is not an error.
   */
  static void unregisterQuietly(Object bean, ObjectName name) {
    if (name == null) {
      return;
    }
    synchronized (OWNERS) {
      if (!OWNERS.remove(name, bean)) {
        return;
      }
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      try {
        if (server.isRegistered(name)
            && server.getClassLoaderFor(name) == MBeanRegistrations.class.getClassLoader()) {
          server.unregisterMBean(name);
        }
      } catch (JMException e) {
        log.debug("Metrics MBean {} was already gone", name, e);
      }
    }
  }
}
