/**
 * Implementation of {@link io.meridian.client.ClusterWatch}: resource streams (list + watch), line
 * splitting of watch bodies, decoding, backoff and the serial executor. Not API: no stability
 * promise, not to be used outside {@code meridian-client}.
 */
package io.meridian.client.internal;
