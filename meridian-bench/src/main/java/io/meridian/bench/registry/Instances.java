package io.meridian.bench.registry;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The values every target writes: an Instance as a user PUTs it (about 110 bytes), and the same
 * Instance as the registry stores it (about 290 bytes: uid, generation, timestamps added), which is
 * what the embedded store and etcd get, so that all three store values of the same size.
 *
 * <p>Each client cycles through {@link #KEYS_PER_CLIENT} names, so after the warm-up most writes
 * replace an existing key (a re-registration), as in steady-state service discovery, and the key
 * space stays bounded however long the run.
 *
 * <p>Thread-safety: stateless.
 */
final class Instances {

  static final int KEYS_PER_CLIENT = 100;
  static final String NAMESPACE = "default";
  static final String STORE_PREFIX = "/registry/instances/" + NAMESPACE + "/";

  private Instances() {}

  static String name(int client, long seq) {
    return "bench-c" + client + "-k" + (seq % KEYS_PER_CLIENT);
  }

  /** The body of {@code PUT /api/v1/namespaces/default/instances/{name}}. */
  static byte[] putBody(String name) {
    return ("{\"metadata\":{\"name\":\""
            + name
            + "\",\"labels\":{\"app\":\"bench\"}},"
            + "\"spec\":{\"address\":\"127.0.0.1\",\"ports\":{\"http\":8080}}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** What the registry stores for that body (the shape of its JSON), for the raw stores. */
  static byte[] storedValue(String name) {
    return ("{\"apiVersion\":\"meridian.io/v1\",\"kind\":\"Instance\",\"metadata\":{\"name\":\""
            + name
            + "\",\"namespace\":\""
            + NAMESPACE
            + "\",\"labels\":{\"app\":\"bench\"},"
            + "\"uid\":\""
            + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8))
            + "\",\"generation\":1,\"creationTimestamp\":\"2026-11-26T00:00:00Z\"},"
            + "\"spec\":{\"address\":\"127.0.0.1\",\"ports\":{\"http\":8080}}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
