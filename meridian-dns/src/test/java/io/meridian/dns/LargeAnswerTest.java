package io.meridian.dns;

import static io.meridian.dns.ClusterFixture.headless;
import static io.meridian.dns.ClusterFixture.instance;
import static io.meridian.dns.ClusterFixture.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A headless service with 200 instances: 200 A records (about 3.2 kB) fit no UDP answer, so UDP
 * gets an empty answer with TC set and clients retry over TCP, where all 200 come back. Checked
 * with raw sockets, with dnsjava and with dig (which follows TC to TCP by itself).
 */
class LargeAnswerTest {

  private static final String BIG = "big.default.svc.cluster.local.";
  private static final int INSTANCES = 200;
  private static final List<String> ADDRESSES = new ArrayList<>();

  @TempDir static Path dataDir;
  private static ClusterFixture cluster;

  @BeforeAll
  static void register200Instances() throws Exception {
    cluster = ClusterFixture.start(dataDir, DnsConfig.of("127.0.0.1", 0));
    cluster.write(headless("big", port("http", 80)));
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int i = 0; i < INSTANCES; i++) {
      String address = "127.1." + (i / 250) + "." + (i % 250 + 1);
      ADDRESSES.add(address);
      inFlight.acquire();
      writes.add(
          cluster
              .writeAsync(instance("big-" + i, "big", address, Map.of("http", 8080)))
              .whenComplete((r, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .get(ClusterFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
    await()
        .atMost(ClusterFixture.WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> cluster.query(BIG, Type.A, true).getSection(Section.ANSWER).size() == INSTANCES);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aUdpQueryWithEdns1232GetsTcAndNoAnswers() throws Exception {
    Message q = query();
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);

    byte[] raw = udp(q.toWire());
    Message r = new Message(raw);

    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(r.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getOPT()).isNotNull();
    assertThat(raw.length).isLessThanOrEqualTo(1232);
  }

  @Test
  void aUdpAnswerWithoutEdnsIsAtMost512Bytes() throws Exception {
    byte[] raw = udp(query().toWire());
    Message r = new Message(raw);

    assertThat(raw.length).isLessThanOrEqualTo(512);
    assertThat(r.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
  }

  @Test
  void overTcpAll200AddressesComeBack() throws Exception {
    Message dnsjava = cluster.query(BIG, Type.A, true);
    Message raw = new Message(tcp(query().toWire()).get(0));

    assertThat(addresses(dnsjava)).containsExactlyInAnyOrderElementsOf(ADDRESSES);
    assertThat(addresses(raw)).containsExactlyInAnyOrderElementsOf(ADDRESSES);
    assertThat(raw.getHeader().getFlag(Flags.TC)).isFalse();
  }

  @Test
  void pipelinedTcpQueriesAreAnsweredInOrder() throws Exception {
    Message first = query();
    first.getHeader().setID(1111);
    Message second =
        Message.newQuery(Record.newRecord(Name.fromString("cluster.local."), Type.SOA, DClass.IN));
    second.getHeader().setID(2222);

    List<byte[]> answers = tcp(first.toWire(), second.toWire());

    assertThat(answers).hasSize(2);
    assertThat(new Message(answers.get(0)).getHeader().getID()).isEqualTo(1111);
    assertThat(addresses(new Message(answers.get(0)))).hasSize(INSTANCES);
    assertThat(new Message(answers.get(1)).getHeader().getID()).isEqualTo(2222);
    assertThat(new Message(answers.get(1)).getSection(Section.ANSWER)).hasSize(1);
  }

  @Test
  void dnsjavaOverUdpFollowsTcToTcp() throws Exception {
    assertThat(addresses(cluster.query(BIG, Type.A, false)))
        .containsExactlyInAnyOrderElementsOf(ADDRESSES);
  }

  @Test
  void digOverTcpGetsAll200() throws Exception {
    Dig dig = Dig.run(cluster.port(), "+tcp", BIG, "A");

    assertThat(dig.status()).as(dig.output()).isEqualTo("NOERROR");
    assertThat(dig.answer().stream().map(Dig.Rr::rdata).toList())
        .containsExactlyInAnyOrderElementsOf(ADDRESSES);
  }

  @Test
  void digOverUdpFollowsTcToTcpAndGetsAll200() throws Exception {
    Dig dig = Dig.run(cluster.port(), BIG, "A");

    assertThat(dig.output()).contains("Truncated, retrying in TCP mode");
    assertThat(dig.status()).as(dig.output()).isEqualTo("NOERROR");
    assertThat(dig.answer().stream().map(Dig.Rr::rdata).toList())
        .containsExactlyInAnyOrderElementsOf(ADDRESSES);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static Message query() throws IOException {
    return Message.newQuery(Record.newRecord(Name.fromString(BIG), Type.A, DClass.IN));
  }

  private static byte[] udp(byte[] query) throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(2000);
      s.send(new DatagramPacket(query, query.length, cluster.address()));
      byte[] buf = new byte[65535];
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      s.receive(in);
      return Arrays.copyOf(buf, in.getLength());
    }
  }

  /**
   * Sends the queries length-prefixed on one connection (RFC 1035 §4.2.2); reads one answer each.
   */
  private static List<byte[]> tcp(byte[]... queries) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), cluster.port())) {
      s.setSoTimeout(5000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      for (byte[] q : queries) {
        out.writeShort(q.length);
        out.write(q);
      }
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      List<byte[]> answers = new ArrayList<>();
      for (int i = 0; i < queries.length; i++) {
        byte[] a = new byte[in.readUnsignedShort()];
        in.readFully(a);
        answers.add(a);
      }
      return answers;
    }
  }

  private static List<String> addresses(Message r) {
    return r.getSection(Section.ANSWER).stream()
        .map(rr -> ((ARecord) rr).getAddress().getHostAddress())
        .toList();
  }
}
