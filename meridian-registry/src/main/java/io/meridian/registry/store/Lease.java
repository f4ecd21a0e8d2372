package io.meridian.registry.store;

import java.time.Duration;

/**
 * A lease: keys attached to it are deleted when it expires or is revoked.
 *
 * @param id never 0
 * @param ttl the time to live it was granted with
 * @param remaining the time left before it expires unless kept alive
 */
public record Lease(long id, Duration ttl, Duration remaining) {}
