package io.meridian.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.api.Resource;
import io.meridian.api.Service;
import io.meridian.api.codec.Codec;
import io.meridian.client.ClusterSnapshot;
import io.meridian.client.ServiceKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Golden tests: the listeners for {@code golden/services.yaml} in each role are exactly the lines
 * of {@code golden/<case>.txt}. Run with {@code -Dmeridian.golden.update=true} to rewrite the files
 * after an intended change, then read the diff.
 */
class ListenerRendererTest {

  private static final DataPlaneConfig AGENT =
      new DataPlaneConfig(
          DataPlaneConfig.Role.AGENT, "node-1", List.of("192.168.1.5"), List.of(), true);

  @Test
  void anAgentListensOnClusterIpsAndNodePorts() throws Exception {
    assertGolden("agent", ListenerRenderer.render(snapshot(), AGENT));
  }

  @Test
  void anEdgeListensOnIngressIpsOnly() throws Exception {
    DataPlaneConfig edge =
        new DataPlaneConfig(DataPlaneConfig.Role.EDGE, "", List.of(), List.of(), false);
    assertGolden("edge", ListenerRenderer.render(snapshot(), edge));
  }

  @Test
  void aSidecarServesItsUpstreamsOnLocalPortsWithoutClusterIps() throws Exception {
    DataPlaneConfig sidecar =
        new DataPlaneConfig(
            DataPlaneConfig.Role.AGENT,
            "node-1",
            List.of(),
            List.of(
                SidecarUpstream.parse("default/web:http=127.0.0.1:15001"),
                SidecarUpstream.parse("default/web:9000=127.0.0.1:15002"),
                SidecarUpstream.parse("kube-system/dns:dns=127.0.0.1:15053"),
                SidecarUpstream.parse("default/api=[::1]:15003"),
                SidecarUpstream.parse("nosuch=127.0.0.1:15004")),
            false);
    assertGolden("sidecar", ListenerRenderer.render(snapshot(), sidecar));
  }

  @Test
  void beforeTheFirstSnapshotOnlySidecarsAreRendered() {
    DataPlaneConfig c =
        new DataPlaneConfig(
            DataPlaneConfig.Role.AGENT,
            "n",
            List.of("192.168.1.5"),
            List.of(SidecarUpstream.parse("web=127.0.0.1:15001")),
            true);
    assertThat(ListenerRenderer.render(null, c))
        .extracting(Listener::toString)
        .containsExactly("TCP 127.0.0.1:15001 sidecar -> default/web tcp");
  }

  @Test
  void listenersAreSortedAndTheirKeysUnique() throws Exception {
    List<Listener> ls = ListenerRenderer.render(snapshot(), AGENT);
    assertThat(ls).isSorted();
    assertThat(ls.stream().map(Listener::key).distinct().count()).isEqualTo(ls.size());
  }

  @Test
  void badUpstreamsSayWhatIsWrong() {
    assertThatThrownBy(() -> SidecarUpstream.parse("web"))
        .hasMessageContaining("expected [NAMESPACE/]SERVICE[:PORT]=ADDRESS:PORT");
    assertThatThrownBy(() -> SidecarUpstream.parse("web=localhost:15001"))
        .hasMessageContaining("must be an IP literal");
    assertThatThrownBy(() -> SidecarUpstream.parse("web=::1:15001"))
        .hasMessageContaining("IPv6 address in brackets");
    assertThatThrownBy(() -> SidecarUpstream.parse("web=127.0.0.1:70000"))
        .hasMessageContaining("1..65535");
    assertThat(SidecarUpstream.parse("ns/web:grpc=[::1]:15001"))
        .isEqualTo(new SidecarUpstream(ServiceKey.of("ns", "web"), "grpc", "::1", 15001));
  }

  // ---- fixtures -------------------------------------------------------------------------------

  private static ClusterSnapshot snapshot() throws Exception {
    byte[] yaml;
    try (InputStream in = ListenerRendererTest.class.getResourceAsStream("/golden/services.yaml")) {
      yaml = in.readAllBytes();
    }
    List<Service> services = new ArrayList<>();
    for (Resource r : Codec.decodeAll(yaml)) {
      services.add((Service) r);
    }
    return ClusterSnapshot.of(services, List.of(), List.of());
  }

  private static void assertGolden(String name, List<Listener> listeners) throws IOException {
    String actual =
        listeners.stream().map(Listener::toString).collect(Collectors.joining("\n", "", "\n"));
    Path file = Path.of("src/test/resources/golden", name + ".txt");
    if (Boolean.getBoolean("meridian.golden.update")) {
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual)
        .as("golden file %s", file)
        .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }
}
