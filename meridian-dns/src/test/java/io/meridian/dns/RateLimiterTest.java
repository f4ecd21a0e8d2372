package io.meridian.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The limiter on an injected clock: exact counts at the boundaries of the rate and the burst. */
class RateLimiterTest {

  private long now = TimeUnit.SECONDS.toNanos(1000);
  private final RateLimiter limiter = new RateLimiter(10, () -> now);

  @Test
  void tenPerSecondAllowsTheBurstOfOneSecondPlusOneAtOnceThenRefuses() throws Exception {
    InetAddress client = InetAddress.getByName("10.0.0.1");

    assertThat(allowed(client, 20)).isEqualTo(11);
    assertThat(limiter.allow(client)).isFalse();
  }

  @Test
  void afterTheBurstOneResponseIsAllowedPerIntervalOfOneTenthOfASecond() throws Exception {
    InetAddress client = InetAddress.getByName("10.0.0.1");
    allowed(client, 11);

    now += TimeUnit.MILLISECONDS.toNanos(99);
    assertThat(limiter.allow(client)).isFalse();
    now += TimeUnit.MILLISECONDS.toNanos(1);
    assertThat(allowed(client, 5)).isEqualTo(1);
    now += TimeUnit.SECONDS.toNanos(1);
    assertThat(allowed(client, 50)).isEqualTo(10);
  }

  @Test
  void aThousandQueriesPerSecondForTenSecondsGetTheBurstPlusTheRate() throws Exception {
    InetAddress client = InetAddress.getByName("10.0.0.1");
    int allowed = 0;
    for (int ms = 0; ms < 10_000; ms++) {
      allowed += limiter.allow(client) ? 1 : 0;
      now += TimeUnit.MILLISECONDS.toNanos(1);
    }
    // 11 in the first 10 ms, then one at each 100 ms mark from 100 ms to 9.9 s
    assertThat(allowed).isEqualTo(11 + 99);
  }

  @Test
  void anIdleClientGetsItsBurstBackButNoMore() throws Exception {
    InetAddress client = InetAddress.getByName("10.0.0.1");
    allowed(client, 11);

    now += TimeUnit.HOURS.toNanos(1);

    assertThat(allowed(client, 100)).isEqualTo(11);
  }

  @Test
  void eachIpv4Slash24HasItsOwnBudget() throws Exception {
    allowed(InetAddress.getByName("10.0.0.1"), 11);

    assertThat(limiter.allow(InetAddress.getByName("10.0.0.254"))).isFalse();
    assertThat(allowed(InetAddress.getByName("10.0.1.1"), 20)).isEqualTo(11);
    assertThat(allowed(InetAddress.getByName("11.0.0.1"), 20)).isEqualTo(11);
  }

  @Test
  void eachIpv6Slash56HasItsOwnBudget() throws Exception {
    allowed(InetAddress.getByName("2001:db8:0:1::1"), 11);

    // same first 56 bits (2001:0db8:0000:00..)
    assertThat(limiter.allow(InetAddress.getByName("2001:db8:0:ff:ffff::9"))).isFalse();
    // the 57th to 64th bits differ only in the next /56
    assertThat(allowed(InetAddress.getByName("2001:db8:0:100::1"), 20)).isEqualTo(11);
  }

  @Test
  void prefixesKeepTheFamilyApart() throws Exception {
    long v4 = RateLimiter.prefix(InetAddress.getByName("10.1.2.3"));

    assertThat(v4).isEqualTo(RateLimiter.prefix(InetAddress.getByName("10.1.2.200")));
    assertThat(v4).isNotEqualTo(RateLimiter.prefix(InetAddress.getByName("10.1.3.3")));
    assertThat(v4 & 1).isZero();
    assertThat(RateLimiter.prefix(InetAddress.getByName("::a01:203")) & 1).isEqualTo(1);
  }

  private int allowed(InetAddress client, int tries) {
    int n = 0;
    for (int i = 0; i < tries; i++) {
      n += limiter.allow(client) ? 1 : 0;
    }
    return n;
  }
}
