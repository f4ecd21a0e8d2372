package io.meridian.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NamesTest {

  private static final byte[] CLUSTER_LOCAL = Names.wire("cluster.local");

  @Test
  void wireIsLengthPrefixedLowerCaseLabelsEndingInTheRoot() {
    byte[] expected = bytes(3, "web", 7, "default", 3, "svc", 7, "cluster", 5, "local", 0);

    assertThat(Names.wire("web.default.svc.cluster.local")).isEqualTo(expected);
    assertThat(Names.wire("Web.DEFAULT.svc.Cluster.local.")).isEqualTo(expected);
    assertThat(Names.wire("")).containsExactly(0);
    assertThat(Names.wire(".")).containsExactly(0);
  }

  @Test
  void wireRejectsEmptyAndOverlongLabelsAndNames() {
    String label63 = "a".repeat(63);
    assertThat(Names.wire(label63 + ".local")).hasSize(1 + 63 + 1 + 5 + 1);
    assertThatThrownBy(() -> Names.wire("a".repeat(64) + ".local"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Names.wire("a..local")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Names.wire(".local")).isInstanceOf(IllegalArgumentException.class);

    // 3 labels of 63 and one of 61: 4 * 64 - 2 + 1 = 255 bytes, the most a name may have
    String longest = String.join(".", label63, label63, label63, "b".repeat(61));
    assertThat(Names.wire(longest)).hasSize(255);
    assertThatThrownBy(() -> Names.wire(longest + "b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prependAddsOneLowerCasedLabelInFront() {
    assertThat(Names.prepend("Svc", CLUSTER_LOCAL)).isEqualTo(Names.wire("svc.cluster.local"));
    assertThatThrownBy(() -> Names.prepend("", CLUSTER_LOCAL))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Names.prepend("a".repeat(64), CLUSTER_LOCAL))
        .isInstanceOf(IllegalArgumentException.class);

    String three63 = String.join(".", "a".repeat(63), "a".repeat(63), "a".repeat(63));
    byte[] name253 = Names.wire(three63 + "." + "b".repeat(59));
    byte[] name254 = Names.wire(three63 + "." + "b".repeat(60));
    assertThat(Names.prepend("x", name253)).hasSize(255);
    assertThatThrownBy(() -> Names.prepend("x", name254))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withinHoldsForTheZoneAndNamesBelowItAtLabelBoundariesOnly() {
    assertThat(within("cluster.local")).isTrue();
    assertThat(within("a.cluster.local")).isTrue();
    assertThat(within("web.default.svc.cluster.local")).isTrue();
    assertThat(within("xcluster.local")).isFalse();
    assertThat(within("local")).isFalse();
    assertThat(within("cluster.localx")).isFalse();
    assertThat(within("example.com")).isFalse();
    assertThat(Names.within(new byte[] {0}, 1, CLUSTER_LOCAL)).isFalse();
  }

  @Test
  void withinIsNotFooledByZoneBytesInsideALabel() {
    // one label "x\7cluster" then "local": the last 15 bytes spell the zone, but mid-label
    byte[] name = new byte[1 + 9 + 1 + 5 + 1];
    name[0] = 9;
    name[1] = 'x';
    name[2] = 7;
    System.arraycopy("cluster".getBytes(StandardCharsets.US_ASCII), 0, name, 3, 7);
    name[10] = 5;
    System.arraycopy("local".getBytes(StandardCharsets.US_ASCII), 0, name, 11, 5);
    name[16] = 0;
    assertThat(Arrays.copyOfRange(name, 2, name.length)).isEqualTo(CLUSTER_LOCAL);

    assertThat(Names.within(name, name.length, CLUSTER_LOCAL)).isFalse();
    assertThat(Names.suffixOffset(name, name.length, CLUSTER_LOCAL)).isEqualTo(-1);
  }

  @Test
  void withinAndSuffixOffsetReadOnlyTheGivenLength() {
    byte[] name = Names.wire("web.cluster.local");
    byte[] buffer = Arrays.copyOf(name, 255);
    Arrays.fill(buffer, name.length, buffer.length, (byte) 'z');

    assertThat(Names.within(buffer, name.length, CLUSTER_LOCAL)).isTrue();
    assertThat(Names.suffixOffset(buffer, name.length, CLUSTER_LOCAL)).isEqualTo(4);
  }

  @Test
  void reverseNamesFollowRfc1035AndRfc3596() throws Exception {
    assertThat(Names.reverse(InetAddress.getByName("10.1.2.3"))).isEqualTo("3.2.1.10.in-addr.arpa");
    // RFC 3596 §2.5's example
    assertThat(Names.reverse(InetAddress.getByName("2001:db8::567:89ab")))
        .isEqualTo("b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  }

  @Test
  void dashedTurnsAnIpv4AddressIntoOneLabel() throws Exception {
    assertThat(Names.dashed(InetAddress.getByName("10.0.0.7"))).isEqualTo("10-0-0-7");
  }

  @Test
  void dashedTurnsACompressedIpv6AddressIntoOneLabel() throws Exception {
    assertThat(Names.dashed(InetAddress.getByName("fd00::1"))).isEqualTo("fd00--1");
    assertThat(Names.dashed(InetAddress.getByName("2001:db8::a:0:0:1")))
        .isEqualTo("2001-db8--a-0-0-1");
  }

  @Test
  void dashedDropsAnIpv6ScopeAndStaysOneLabel() throws Exception {
    String label = Names.dashed(InetAddress.getByName("fe80::1%1"));

    assertThat(label).doesNotContain("%", ".", ":").startsWith("fe80-");
  }

  @Test
  void textPrintsWireNamesWithATrailingDot() {
    assertThat(Names.text(Names.wire("Web.Cluster.Local"))).isEqualTo("web.cluster.local.");
    assertThat(Names.text(new byte[] {0})).isEqualTo(".");
  }

  @Test
  void hashIsFnv1aOverTheGivenBytes() {
    assertThat(Names.hash(new byte[0], 0)).isEqualTo(0x811c9dc5);
    assertThat(Names.hash("a".getBytes(StandardCharsets.US_ASCII), 1)).isEqualTo(0xe40c292c);
    assertThat(Names.hash("foobar".getBytes(StandardCharsets.US_ASCII), 6)).isEqualTo(0xbf9cf968);
    assertThat(Names.hash("ax".getBytes(StandardCharsets.US_ASCII), 1)).isEqualTo(0xe40c292c);
  }

  private static boolean within(String name) {
    byte[] w = Names.wire(name);
    return Names.within(w, w.length, CLUSTER_LOCAL);
  }

  /** Wire bytes from alternating lengths (ints) and label text (strings). */
  private static byte[] bytes(Object... parts) {
    StringBuilder sb = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof Integer i) {
        sb.append((char) i.intValue());
      } else {
        sb.append(p);
      }
    }
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
