package io.meridian.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@code meridian dns} listens and answers. Immutable; validated when built, a bad value is an
 * {@link IllegalArgumentException} naming the field.
 *
 * @param host the address to bind (default {@code 127.0.0.1})
 * @param port UDP and TCP port (default 8053; 0 picks a free one)
 * @param domain the cluster domain (default {@code cluster.local})
 * @param ttl the TTL of every answer and of negative caching (default 5 s)
 * @param maxAnswers at most this many records per answer, sampled by weight; 0 for all (default)
 * @param maxUdpPayload the largest UDP answer with EDNS0 (default 1232, DNS Flag Day 2020)
 * @param rateLimit responses per second per client prefix (/24, /56) over UDP, 0 for none (default)
 * @param threads event-loop threads, each with its own UDP socket (default: one per core)
 * @param upstream where queries for names outside the domain go, or null to refuse them (default)
 */
public record DnsConfig(
    String host,
    int port,
    String domain,
    Duration ttl,
    int maxAnswers,
    int maxUdpPayload,
    int rateLimit,
    int threads,
    InetSocketAddress upstream) {

  public static final int DEFAULT_PORT = 8053;

  public DnsConfig {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    Names.wire(Objects.requireNonNull(domain, "domain"));
    if (ttl == null || ttl.isNegative() || ttl.toSeconds() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("ttl must be 0s or more, got " + ttl);
    }
    if (maxAnswers < 0) {
      throw new IllegalArgumentException("maxAnswers must be 0 (all) or more, got " + maxAnswers);
    }
    if (maxUdpPayload < 512 || maxUdpPayload > 65535) {
      throw new IllegalArgumentException("maxUdpPayload must be 512..65535, got " + maxUdpPayload);
    }
    if (rateLimit < 0) {
      throw new IllegalArgumentException("rateLimit must be 0 (off) or more, got " + rateLimit);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
  }

  /** The defaults, on {@code host:port}. */
  public static DnsConfig of(String host, int port) {
    return new DnsConfig(
        host,
        port,
        "cluster.local",
        Duration.ofSeconds(5),
        0,
        1232,
        0,
        Runtime.getRuntime().availableProcessors(),
        null);
  }

  public DnsConfig withDomain(String v) {
    return new DnsConfig(
        host, port, v, ttl, maxAnswers, maxUdpPayload, rateLimit, threads, upstream);
  }

  public DnsConfig withTtl(Duration v) {
    return new DnsConfig(
        host, port, domain, v, maxAnswers, maxUdpPayload, rateLimit, threads, upstream);
  }

  public DnsConfig withMaxAnswers(int v) {
    return new DnsConfig(host, port, domain, ttl, v, maxUdpPayload, rateLimit, threads, upstream);
  }

  public DnsConfig withMaxUdpPayload(int v) {
    return new DnsConfig(host, port, domain, ttl, maxAnswers, v, rateLimit, threads, upstream);
  }

  public DnsConfig withRateLimit(int v) {
    return new DnsConfig(host, port, domain, ttl, maxAnswers, maxUdpPayload, v, threads, upstream);
  }

  public DnsConfig withThreads(int v) {
    return new DnsConfig(
        host, port, domain, ttl, maxAnswers, maxUdpPayload, rateLimit, v, upstream);
  }

  /** Forwards names outside the domain to {@code v} (null: refuse them). */
  public DnsConfig withUpstream(InetSocketAddress v) {
    return new DnsConfig(host, port, domain, ttl, maxAnswers, maxUdpPayload, rateLimit, threads, v);
  }

  int ttlSeconds() {
    return (int) ttl.toSeconds();
  }
}
