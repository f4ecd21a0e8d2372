package io.meridian.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class HashKeysTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] counting(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  /** Expected values computed with the reference C library (libxxhash 0.8.3, XXH64). */
  @Test
  void matchesTheReferenceXxh64() {
    assertThat(HashKeys.hash(utf8(""))).isEqualTo(0xef46db3751d8e999L);
    assertThat(HashKeys.hash(utf8("a"))).isEqualTo(0xd24ec4f1a98c6e5bL);
    assertThat(HashKeys.hash(utf8("abc"))).isEqualTo(0x44bc2cf5ad770999L);
    assertThat(HashKeys.hash(utf8("10.0.0.7:8080"))).isEqualTo(0xbedb561328e57b29L);
    assertThat(HashKeys.hash(utf8("10.0.0.7:8080_0"))).isEqualTo(0xb2d24a5432f3e6d4L);
    assertThat(HashKeys.hash(counting(32))).isEqualTo(0xcbf59c5116ff32b4L);
    assertThat(HashKeys.hash(counting(100))).isEqualTo(0x6ac1e58032166597L);
    assertThat(HashKeys.hash(utf8("héllo wörld ✓ 𝄞"))).isEqualTo(0xb21827158c9eced1L);
  }

  @Test
  void aSeedGivesAnIndependentHash() {
    assertThat(HashKeys.hash(utf8(""), 0, 0, 1)).isEqualTo(0xd5afba1336a3be4bL);
    assertThat(HashKeys.hash(utf8("10.0.0.7:8080"), 0, 13, 1)).isEqualTo(0x98d87bf13433ed1aL);
    assertThat(HashKeys.hash(counting(100), 0, 100, 1)).isEqualTo(0x3d19a3a2098a7023L);
    assertThat(HashKeys.hash("10.0.0.7:8080", 1)).isEqualTo(0x98d87bf13433ed1aL);
  }

  @Test
  void stringsHashAsTheirUtf8BytesWithoutEncodingThem() {
    for (String s : new String[] {"", "a", "abc", "10.0.0.7:8080", "héllo wörld ✓ 𝄞"}) {
      assertThat(HashKeys.hash(s)).as(s).isEqualTo(HashKeys.hash(utf8(s)));
    }
    String ofEveryLength = "0123456789abcdefghijklmnopqrstuvwxyz€𝄞-0123456789abcdefghij";
    for (int end = 0; end <= ofEveryLength.length(); end++) {
      String s = ofEveryLength.substring(0, end); // may end in half of the pair: '?' both ways
      assertThat(HashKeys.hash(s)).as(s).isEqualTo(HashKeys.hash(utf8(s)));
    }
  }

  @Property(tries = 300)
  void anyStringHashesAsItsUtf8Bytes(@ForAll String s, @ForAll long seed) {
    byte[] b = utf8(s);
    assertThat(HashKeys.hash(s, seed)).isEqualTo(HashKeys.hash(b, 0, b.length, seed));
  }

  @Test
  void unpairedSurrogatesHashAsQuestionMarksAsStringGetBytesDoes() {
    for (String s : new String[] {"\uD834", "a\uDD1Eb", "\uD834\uD834\uDD1E", "x\uD834"}) {
      assertThat(HashKeys.hash(s)).isEqualTo(HashKeys.hash(utf8(s)));
    }
    assertThat(HashKeys.hash("a\uD834b")).isEqualTo(HashKeys.hash("a?b"));
  }

  @Test
  void aSliceHashesAsTheSameBytesAlone() {
    byte[] padded = utf8("xx10.0.0.7:8080yy");
    assertThat(HashKeys.hash(padded, 2, 13)).isEqualTo(HashKeys.hash(utf8("10.0.0.7:8080")));
  }

  @Test
  void anIpv4IntHashesAsTheAddressBytes() throws Exception {
    InetAddress address = InetAddress.getByName("10.0.0.7");
    assertThat(HashKeys.hashIpv4(0x0A000007)).isEqualTo(HashKeys.hash(address));
    assertThat(HashKeys.hashIpv4(0x0A000007)).isEqualTo(0xaa20c24f075300c7L);
    InetAddress v6 = InetAddress.getByName("2001:db8::1");
    assertThat(HashKeys.hash(v6)).isEqualTo(HashKeys.hash(v6.getAddress()));
  }

  @Test
  void mixSpreadsConsecutiveValuesOverAllBits() {
    assertThat(HashKeys.mix(0)).isZero();
    long orOfAll = 0;
    long andOfAll = -1;
    for (long i = 1; i <= 64; i++) {
      orOfAll |= HashKeys.mix(i);
      andOfAll &= HashKeys.mix(i);
    }
    assertThat(orOfAll).isEqualTo(-1L);
    assertThat(andOfAll).isZero();
  }
}
