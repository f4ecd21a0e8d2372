package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parsesIpv4Ipv6AndHostNames() {
    assertThat(HostPort.parse("127.0.0.1:9001")).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(HostPort.parse("[::1]:9001")).isEqualTo(new HostPort("::1", 9001));
    assertThat(HostPort.parse("localhost:80")).isEqualTo(new HostPort("localhost", 80));
  }

  @Test
  void refusesWhatIsNotHostColonPort() {
    assertThatThrownBy(() -> HostPort.parse("127.0.0.1")).hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> HostPort.parse("127.0.0.1:http"))
        .hasMessageContaining("not a port number");
    assertThatThrownBy(() -> HostPort.parse("127.0.0.1:70000")).hasMessageContaining("1..65535");
    assertThatThrownBy(() -> HostPort.parse("::1:80")).hasMessageContaining("brackets");
  }

  @Test
  void instanceNamesTurnDotsAndColonsIntoDashes() {
    assertThat(HostPort.parse("127.0.0.1:9001").instanceName("web"))
        .isEqualTo("web-127-0-0-1-9001");
    assertThat(HostPort.parse("[::1]:9001").instanceName("web")).isEqualTo("web-1-9001");
    assertThat(HostPort.parse("Box.Local:80").instanceName("Web_API"))
        .isEqualTo("web-api-box-local-80");
  }
}
