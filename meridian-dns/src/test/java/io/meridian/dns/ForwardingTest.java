package io.meridian.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * {@code --upstream}: names outside the domain go to the upstream and its answers come back with
 * the client's ID, over UDP and TCP; an upstream that does not answer, or answers another question,
 * yields SERVFAIL.
 */
class ForwardingTest {

  @TempDir Path dir;
  private RegistryServer registry;
  private MeridianDns upstream;
  private MeridianDns front;
  private DatagramSocket liar;

  @AfterEach
  void tearDown() {
    if (front != null) {
      front.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (liar != null) {
      liar.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private void startRegistry() throws Exception {
    registry =
        RegistryServer.create(
            RegistryConfig.builder(dir).port(0).fsync(false).serviceCidr("127.96.0.0/16").build());
    registry.start().get(30, TimeUnit.SECONDS);
    registry
        .resources()
        .write(
            new Service(
                ObjectMeta.of("default", "web"),
                ServiceSpec.of(
                    ServiceType.ClusterIP,
                    Map.of("app", "web"),
                    List.of(ServicePort.tcp("http", 80)))),
            false)
        .get(10, TimeUnit.SECONDS);
  }

  private static Message ask(InetSocketAddress server, String name, boolean tcp) throws Exception {
    SimpleResolver r = new SimpleResolver(server);
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(5));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  @Test
  void namesOutsideTheDomainAreAnsweredByTheUpstream() throws Exception {
    startRegistry();
    upstream = new MeridianDns(registry.uri(), DnsConfig.of("127.0.0.1", 0));
    upstream.start().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.server().names() > 4);
    front =
        new MeridianDns(
            registry.uri(),
            DnsConfig.of("127.0.0.1", 0)
                .withDomain("other.local")
                .withUpstream(upstream.server().udpAddress()));
    front.start().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> front.server().names() > 4);
    InetSocketAddress at = front.server().udpAddress();

    for (boolean tcp : new boolean[] {false, true}) {
      Message m = ask(at, "web.default.svc.cluster.local.", tcp);
      assertThat(m.getRcode()).as("tcp=%s", tcp).isEqualTo(Rcode.NOERROR);
      List<Record> answers = m.getSection(Section.ANSWER);
      assertThat(answers).hasSize(1);
      assertThat(((ARecord) answers.get(0)).getAddress().getHostAddress()).startsWith("127.96.");
    }
    // its own domain is still its own
    Message own = ask(at, "web.default.svc.other.local.", false);
    assertThat(own.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(own.getSection(Section.ANSWER)).hasSize(1);
    assertThat(front.server().stats().forwarded()).isEqualTo(2);
  }

  @Test
  void aSilentUpstreamIsServfail() throws Exception {
    startRegistry();
    liar =
        new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)); // reads nothing, answers nothing
    front =
        new MeridianDns(
            registry.uri(),
            DnsConfig.of("127.0.0.1", 0)
                .withUpstream((InetSocketAddress) liar.getLocalSocketAddress()));
    front.start().get(10, TimeUnit.SECONDS);
    long t0 = System.nanoTime();
    Message m = ask(front.server().udpAddress(), "example.com.", false);
    assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void anAnswerToAnotherQuestionIsIgnored() throws Exception {
    startRegistry();
    liar = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    Thread spoofer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    byte[] buf = new byte[512];
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    liar.receive(p);
                    Message q = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                    Message wrong =
                        Message.newQuery(
                            Record.newRecord(Name.fromString("evil.example."), Type.A, DClass.IN));
                    wrong.getHeader().setID(q.getHeader().getID());
                    wrong.getHeader().setFlag(org.xbill.DNS.Flags.QR);
                    wrong.addRecord(
                        new ARecord(
                            Name.fromString("evil.example."),
                            DClass.IN,
                            60,
                            java.net.InetAddress.getByName("6.6.6.6")),
                        Section.ANSWER);
                    byte[] out = wrong.toWire();
                    liar.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                  } catch (Exception ignored) {
                    // the socket closed at the end of the test
                  }
                });
    front =
        new MeridianDns(
            registry.uri(),
            DnsConfig.of("127.0.0.1", 0)
                .withUpstream((InetSocketAddress) liar.getLocalSocketAddress()));
    front.start().get(10, TimeUnit.SECONDS);
    Message m = ask(front.server().udpAddress(), "example.com.", false);
    assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(m.getSection(Section.ANSWER)).isEmpty();
    spoofer.join(5_000);
  }
}
