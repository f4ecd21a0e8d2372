/**
 * Meridian's client library: {@link io.meridian.client.ClusterWatch}, a list-watch cache of the
 * registry that publishes immutable {@link io.meridian.client.ClusterSnapshot}s, which DNS,
 * proxies, the nftables renderer and client-side balancers render from.
 *
 * <p>Everything in this package is public API. {@code io.meridian.client.internal} is not: it may
 * change in any release and must not be used from other modules.
 */
package io.meridian.client;
