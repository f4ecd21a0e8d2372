package io.meridian.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0.0.0.0",
        "10.0.0.1",
        "255.255.255.255",
        "127.0.0.1",
        "192.0.2.10",
        "::",
        "::1",
        "fd00::a",
        "2001:db8::",
        "2001:DB8:0:0:8:800:200C:417A",
        "fe80::1",
        "::ffff:10.0.0.1",
        "1:2:3:4:5:6:7:8",
        "1::8",
        "1:2:3:4:5:6::8",
        "::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:1.2.3.4",
        "64:ff9b::192.0.2.33"
      })
  void acceptsAddressLiterals(String text) {
    assertThat(IpLiteral.parse(text)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10.0.0.300",
        "10.0.0",
        "10.0.0.1.2",
        "010.0.0.1",
        "10.0.0.01",
        "1e1.0.0.1",
        " 10.0.0.1",
        "10.0.0.1 ",
        "10..0.1",
        "example.com",
        "localhost",
        "fd00::1::2",
        ":::",
        "1:::2",
        ":1::",
        "1::2:",
        "::1:",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7::8",
        "2001:db8::g1",
        "12345::",
        "fe80::1%eth0",
        "::ffff:10.0.0.256",
        "1.2.3.4::",
        "::1.2.3",
        "[::1]",
        "１0.0.0.1",
        "٣.0.0.1"
      })
  void refusesAnythingElse(String text) {
    assertThat(IpLiteral.parse(text)).isNull();
  }

  @Property(tries = 300)
  void readsEveryIpv4AddressTheJdkWrites(@ForAll @Size(4) byte[] address) throws Exception {
    String text = InetAddress.getByAddress(address).getHostAddress();
    assertThat(IpLiteral.parse(text)).isEqualTo(address);
  }

  @Property(tries = 300)
  void readsEveryIpv6AddressTheJdkWritesAndItsCompressedForm(@ForAll @Size(16) byte[] address)
      throws Exception {
    String full =
        InetAddress.getByAddress(address).getHostAddress(); // 0:0:0:0:... never compressed
    if (full.contains(".")) {
      return; // an IPv4-mapped address comes back as IPv4
    }
    assertThat(IpLiteral.parse(full)).isEqualTo(address);
    String compressed =
        ("#" + full + "#").replaceFirst("(^#|:)(0(:|#)){2,}", "::").replace("#", "");
    assertThat(IpLiteral.parse(compressed)).as(compressed).isEqualTo(address);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"10.0.0.0/8", "0.0.0.0/0", "192.0.2.1/32", "2001:db8::/32", "::/0", "fd00::1/128"})
  void acceptsCidrRanges(String text) {
    assertThat(IpLiteral.isCidr(text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0",
        "10.0.0.0/33",
        "10.0.0.0/",
        "10.0.0.0/08",
        "::/129",
        "/8",
        "10.0.0.0/8/8",
        "10.0.0.0/-1",
        "a/8"
      })
  void refusesWhatIsNoCidrRange(String text) {
    assertThat(IpLiteral.isCidr(text)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "::", "0:0:0:0:0:0:0:0"})
  void knowsTheUnspecifiedAddresses(String text) {
    assertThat(IpLiteral.isUnspecified(IpLiteral.parse(text))).isTrue();
  }
}
