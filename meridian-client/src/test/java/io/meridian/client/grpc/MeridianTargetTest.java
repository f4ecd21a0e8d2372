package io.meridian.client.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.client.ServiceKey;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing {@code meridian://[registry]/namespace/service[:port]}. */
class MeridianTargetTest {

  private static MeridianTarget parse(String target, String env) {
    return MeridianTarget.parse(URI.create(target), env);
  }

  @Test
  void anEmptyAuthorityWithoutTheEnvironmentMeansTheLocalRegistry() {
    MeridianTarget t = parse("meridian:///default/greeter", null);

    assertThat(t.registry()).isEqualTo(URI.create("http://127.0.0.1:7070"));
    assertThat(t.service()).isEqualTo(ServiceKey.of("default", "greeter"));
    assertThat(t.port()).isNull();
  }

  @Test
  void anAuthorityNamesTheRegistryAndAColonThePort() {
    MeridianTarget t = parse("meridian://10.1.2.3:7171/prod/greeter:grpc", "other:1");

    assertThat(t.registry()).isEqualTo(URI.create("http://10.1.2.3:7171"));
    assertThat(t.service()).isEqualTo(ServiceKey.of("prod", "greeter"));
    assertThat(t.port()).isEqualTo("grpc");
  }

  @Test
  void aPortMayBeANumber() {
    assertThat(parse("meridian://127.0.0.1:7070/default/greeter:9000", null).port())
        .isEqualTo("9000");
  }

  @Test
  void theEnvironmentNamesTheRegistryAsHostAndPort() {
    assertThat(parse("meridian:///default/greeter", "registry.local:7000").registry())
        .isEqualTo(URI.create("http://registry.local:7000"));
    assertThat(parse("meridian:///default/greeter", "  10.0.0.9:7000\n").registry())
        .as("stripped")
        .isEqualTo(URI.create("http://10.0.0.9:7000"));
  }

  @Test
  void theEnvironmentMayBeAnHttpOrHttpsUri() {
    assertThat(parse("meridian:///default/greeter", "http://registry.local:7000").registry())
        .isEqualTo(URI.create("http://registry.local:7000"));
    assertThat(parse("meridian:///default/greeter", "https://registry.local:7443").registry())
        .isEqualTo(URI.create("https://registry.local:7443"));
  }

  @Test
  void aBlankEnvironmentIsIgnored() {
    assertThat(parse("meridian:///default/greeter", "  ").registry())
        .isEqualTo(URI.create("http://127.0.0.1:7070"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "meridian:///greeter",
        "meridian:///default/",
        "meridian:///default/greeter/extra",
        "meridian:////greeter",
        "meridian://127.0.0.1:7070",
        "meridian:default/greeter"
      })
  void aTargetWithoutNamespaceAndServiceIsRefusedShowingTheForm(String target) {
    assertThatThrownBy(() -> parse(target, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("meridian://[registry]/namespace/service[:port]")
        .hasMessageContaining(target);
  }

  @Test
  void anEmptyPortIsRefused() {
    assertThatThrownBy(() -> parse("meridian:///default/greeter:", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("meridian:///default/greeter:")
        .hasMessageContaining("empty port");
  }
}
