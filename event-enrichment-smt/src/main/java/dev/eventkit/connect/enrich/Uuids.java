package dev.eventkit.connect.enrich;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** UUID generators: version 7 (time-ordered, RFC 9562) and version 5 (name-based, SHA-1). */
final class Uuids {

  /** Namespace of Eventkit's name-based ids, fixed forever so re-runs give the same ids. */
  static final UUID EVENTKIT_NAMESPACE = UUID.fromString("3f3e9d2c-6a59-4c1e-9b7b-3f0e2a1d5c7e");

  /** SHA-1 digests are not thread-safe and costly to look up: one per thread. */
  private static final ThreadLocal<MessageDigest> SHA1 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
            }
          });

  private Uuids() {}

  /**
   * Random bits come from {@link ThreadLocalRandom} (securely seeded per thread): event ids must be
   * unique, not unguessable, and a SecureRandom call would cost more than the rest of the
   * transform.
   */
  static UUID v7(long epochMillis) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long randA = random.nextInt(1 << 12);
    long msb = (epochMillis << 16) | 0x7000L | randA;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  static UUID v5(UUID namespace, String name) {
    MessageDigest sha1 = SHA1.get();
    sha1.reset();
    ByteBuffer ns = ByteBuffer.allocate(16);
    ns.putLong(namespace.getMostSignificantBits()).putLong(namespace.getLeastSignificantBits());
    sha1.update(ns.array());
    byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
    ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
    return new UUID(bytes.getLong(), bytes.getLong());
  }
}
