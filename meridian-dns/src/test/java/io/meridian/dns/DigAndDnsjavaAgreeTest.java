package io.meridian.dns;

import static io.meridian.dns.ClusterFixture.clusterIp;
import static io.meridian.dns.ClusterFixture.externalName;
import static io.meridian.dns.ClusterFixture.headless;
import static io.meridian.dns.ClusterFixture.instance;
import static io.meridian.dns.ClusterFixture.notReady;
import static io.meridian.dns.ClusterFixture.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Two independent clients, BIND's dig (a process) and dnsjava, ask a server that follows a real
 * registry the same questions, and must both get the expected answer: the same records, rcode,
 * sections and TTLs. The registry holds a ClusterIP service, a headless one with three ready
 * instances (one with a hostname) and one not ready, a service with two named ports, an
 * ExternalName service and an IPv4-only service. The TTL is set to 7 s so that the default cannot
 * pass by accident.
 *
 * <p>The cluster is started once for the class (a registry start and the first snapshot cost about
 * a second) and closed in {@code @AfterAll}, whatever the tests did.
 */
class DigAndDnsjavaAgreeTest {

  private static final int TTL = 7;
  private static final String WEB = "web.default.svc.cluster.local.";
  private static final String DB = "db.default.svc.cluster.local.";
  private static final String MULTI = "multi.default.svc.cluster.local.";
  private static final String EXT = "ext.default.svc.cluster.local.";
  private static final String V4 = "v4only.default.svc.cluster.local.";
  private static final String SOA_DATA =
      "ns.dns.cluster.local. hostmaster.cluster.local. \\d+ 7200 1800 86400 " + TTL;

  @TempDir static Path dataDir;
  private static ClusterFixture cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster =
        ClusterFixture.start(
            dataDir, DnsConfig.of("127.0.0.1", 0).withTtl(Duration.ofSeconds(TTL)));
    cluster.write(clusterIp("web", "127.96.0.10", port("http", 80)));
    cluster.write(instance("web-1", "web", "10.0.0.1", Map.of("http", 8080)));
    cluster.write(headless("db", port("pg", 5432)));
    // the not-ready one first: any endpoints the registry derives with db-c hold db-d too
    cluster.write(notReady(instance("db-d", "db", "10.1.0.4", Map.of("pg", 5432))));
    cluster.write(instance("db-a", "db", "10.1.0.1", "primary", Map.of("pg", 5432)));
    cluster.write(instance("db-b", "db", "10.1.0.2", Map.of("pg", 5432)));
    cluster.write(instance("db-c", "db", "10.1.0.3", Map.of("pg", 5432)));
    cluster.write(clusterIp("multi", "127.96.0.11", port("http", 80), port("grpc", 9090)));
    cluster.write(externalName("ext", "db.example.org"));
    cluster.write(clusterIp("v4only", "127.96.0.12", port("http", 80)));
    await()
        .atMost(ClusterFixture.WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                cluster.query(DB, Type.A).getSection(Section.ANSWER).size() == 3
                    && cluster.query(EXT, Type.A).getSection(Section.ANSWER).size() == 1
                    && cluster.query(V4, Type.A).getSection(Section.ANSWER).size() == 1
                    && cluster.query(MULTI, Type.A).getSection(Section.ANSWER).size() == 1
                    && cluster.query(WEB, Type.A).getSection(Section.ANSWER).size() == 1);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aClusterIpServiceAnswersItsClusterIp() throws Exception {
    Both both = ask(WEB, Type.A);

    both.assertStatus("NOERROR");
    assertThat(both.answerData()).containsExactly("A 127.96.0.10");
    assertThat(both.dig.flags()).contains("qr", "aa");
    assertThat(both.dnsjava.getHeader().getFlag(Flags.AA)).isTrue();
  }

  @Test
  void aHeadlessServiceAnswersEveryReadyAddressAndNoNotReadyOne() throws Exception {
    assertThat(cluster.snapshot().endpoints("default", "db"))
        .as("the server's snapshot holds the not-ready endpoint")
        .anySatisfy(
            e -> {
              assertThat(e.address()).isEqualTo("10.1.0.4");
              assertThat(e.conditions().ready()).isFalse();
            });

    Both both = ask(DB, Type.A);

    both.assertStatus("NOERROR");
    assertThat(both.answerData())
        .containsExactlyInAnyOrder("A 10.1.0.1", "A 10.1.0.2", "A 10.1.0.3")
        .doesNotContain("A 10.1.0.4");
  }

  @Test
  void aHeadlessHostnameAndADashedAddressNameAnswerOneEndpoint() throws Exception {
    Both named = ask("primary." + DB, Type.A);
    Both dashed = ask("10-1-0-2." + DB, Type.A);
    Both notReady = ask("10-1-0-4." + DB, Type.A);

    assertThat(named.answerData()).containsExactly("A 10.1.0.1");
    assertThat(dashed.answerData()).containsExactly("A 10.1.0.2");
    notReady.assertStatus("NXDOMAIN");
  }

  @Test
  void srvOfAClusterIpServiceNamesEachPortAndTheServiceAsTarget() throws Exception {
    Both http = ask("_http._tcp." + MULTI, Type.SRV);
    Both grpc = ask("_grpc._tcp." + MULTI, Type.SRV);

    assertThat(http.answerData()).containsExactly("SRV 0 100 80 " + MULTI);
    assertThat(grpc.answerData()).containsExactly("SRV 0 100 9090 " + MULTI);
  }

  @Test
  void srvOfAHeadlessServiceNamesEachReadyEndpointWithItsPort() throws Exception {
    Both both = ask("_pg._tcp." + DB, Type.SRV);

    both.assertStatus("NOERROR");
    assertThat(both.answerData())
        .containsExactlyInAnyOrder(
            "SRV 0 1 5432 primary." + DB,
            "SRV 0 1 5432 10-1-0-2." + DB,
            "SRV 0 1 5432 10-1-0-3." + DB);
  }

  @Test
  void ptrOfAClusterIpAndOfHeadlessEndpointsNameThem() throws Exception {
    Both service = askReverse("127.96.0.10");
    Both hostname = askReverse("10.1.0.1");
    Both dashed = askReverse("10.1.0.3");
    Both notReady = askReverse("10.1.0.4");

    assertThat(service.answerData()).containsExactly("PTR " + WEB);
    assertThat(hostname.answerData()).containsExactly("PTR primary." + DB);
    assertThat(dashed.answerData()).containsExactly("PTR 10-1-0-3." + DB);
    assertThat(notReady.answerData()).isEmpty();
  }

  @Test
  void anExternalNameServiceAnswersACname() throws Exception {
    Both a = ask(EXT, Type.A);
    Both cname = ask(EXT, Type.CNAME);

    a.assertStatus("NOERROR");
    assertThat(a.answerData()).containsExactly("CNAME db.example.org.");
    assertThat(cname.answerData()).containsExactly("CNAME db.example.org.");
  }

  @Test
  void aMissingServiceIsNxdomainWithTheSoaInAuthority() throws Exception {
    Both both = ask("nosuch.default.svc.cluster.local.", Type.A);

    both.assertStatus("NXDOMAIN");
    assertThat(both.answerData()).isEmpty();
    both.assertSoaInAuthority("cluster.local.");
  }

  @Test
  void aaaaOfAnIpv4OnlyServiceIsNodataWithTheSoaInAuthority() throws Exception {
    Both both = ask(V4, Type.AAAA);

    both.assertStatus("NOERROR");
    assertThat(both.answerData()).isEmpty();
    both.assertSoaInAuthority("cluster.local.");
  }

  @Test
  void aNameOutsideTheClusterDomainIsRefused() throws Exception {
    Both both = ask("example.com.", Type.A);

    both.assertStatus("REFUSED");
    assertThat(both.answerData()).isEmpty();
    assertThat(both.dig.authority()).isEmpty();
    assertThat(both.dnsjava.getSection(Section.AUTHORITY)).isEmpty();
  }

  @Test
  void everyRecordCarriesTheConfiguredTtl() throws Exception {
    for (Both both :
        List.of(
            ask(WEB, Type.A),
            ask(DB, Type.A),
            ask("_pg._tcp." + DB, Type.SRV),
            ask(EXT, Type.A),
            askReverse("127.96.0.10"),
            ask("cluster.local.", Type.SOA),
            ask("nosuch.default.svc.cluster.local.", Type.A))) {
      List<Long> ttls = new ArrayList<>();
      List<Long> digTtls = new ArrayList<>();
      for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
        both.dnsjava.getSection(section).forEach(r -> ttls.add(r.getTTL()));
      }
      both.dig.answer().forEach(r -> digTtls.add(r.ttl()));
      both.dig.authority().forEach(r -> digTtls.add(r.ttl()));
      assertThat(ttls)
          .as(both.dig.output())
          .isNotEmpty()
          .isEqualTo(digTtls)
          .containsOnly((long) TTL);
    }
  }

  @Test
  void namesAreCaseInsensitiveAndTheQuestionIsEchoedAsSent() throws Exception {
    String mixed = "WeB.DeFaUlT.SvC.ClUsTeR.LoCaL.";

    Dig dig = Dig.run(cluster.port(), mixed, "A");
    Message raw = rawUdp(mixed, Type.A, 0x1234);

    assertThat(dig.status()).as(dig.output()).isEqualTo("NOERROR");
    assertThat(dig.question()).containsExactly(mixed + " IN A");
    assertThat(dig.answerData()).containsExactly("A 127.96.0.10");
    assertThat(raw.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(raw.getQuestion().getName().toString()).isEqualTo(mixed);
    assertThat(raw.getSection(Section.ANSWER))
        .singleElement()
        .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("127.96.0.10"));
  }

  @Test
  void theMessageIdIsEchoed() throws Exception {
    Dig dig = Dig.run(cluster.port(), "+qid=48879", WEB, "A");
    assertThat(dig.id()).as(dig.output()).isEqualTo(48879);
    for (int id : new int[] {0, 1, 0x8000, 0xffff}) {
      assertThat(rawUdp(WEB, Type.A, id).getHeader().getID()).isEqualTo(id);
    }
  }

  @Test
  void theApexAnswersItsSoa() throws Exception {
    Both both = ask("cluster.local.", Type.SOA);

    both.assertStatus("NOERROR");
    assertThat(both.answerData()).singleElement().asString().matches("SOA " + SOA_DATA);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Asks both clients; checks they agree on everything before the test looks at the answer. */
  private static Both ask(String name, int type) throws Exception {
    Dig dig = Dig.run(cluster.port(), name, Type.string(type));
    Message dnsjava = cluster.query(name, type);
    return Both.agreeing(dig, dnsjava);
  }

  private static Both askReverse(String ip) throws Exception {
    Dig dig = Dig.run(cluster.port(), "-x", ip);
    Message dnsjava = cluster.query(ReverseMap.fromAddress(ip).toString(), Type.PTR);
    return Both.agreeing(dig, dnsjava);
  }

  /** A query with a chosen ID over a plain UDP socket (dnsjava's resolver would hide the ID). */
  private static Message rawUdp(String name, int type, int id) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    q.getHeader().setID(id);
    byte[] wire = q.toWire();
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(2000);
      s.send(new DatagramPacket(wire, wire.length, cluster.address()));
      byte[] buf = new byte[4096];
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      s.receive(in);
      return new Message(Arrays.copyOf(buf, in.getLength()));
    }
  }

  /** The same question answered to dig and to dnsjava. */
  private record Both(Dig dig, Message dnsjava) {

    static Both agreeing(Dig dig, Message dnsjava) {
      assertThat(dig.exit()).as(dig.output()).isZero();
      assertThat(dig.status()).as(dig.output()).isEqualTo(Rcode.string(dnsjava.getRcode()));
      assertThat(dig.answerData())
          .as("dig and dnsjava answers\n" + dig.output() + "\n" + dnsjava)
          .containsExactlyInAnyOrderElementsOf(data(dnsjava, Section.ANSWER));
      assertThat(dig.authority().stream().map(Dig.Rr::typeAndData).toList())
          .as("dig and dnsjava authority\n" + dig.output() + "\n" + dnsjava)
          .containsExactlyInAnyOrderElementsOf(data(dnsjava, Section.AUTHORITY));
      assertThat(dig.flags().contains("aa")).isEqualTo(dnsjava.getHeader().getFlag(Flags.AA));
      return new Both(dig, dnsjava);
    }

    private static List<String> data(Message m, int section) {
      return m.getSection(section).stream()
          .map(r -> Type.string(r.getType()) + " " + r.rdataToString())
          .toList();
    }

    void assertStatus(String status) {
      assertThat(dig.status()).as(dig.output()).isEqualTo(status);
      assertThat(Rcode.string(dnsjava.getRcode())).isEqualTo(status);
    }

    List<String> answerData() {
      return dig.answerData();
    }

    /** One SOA in authority, owned by {@code owner}, with the configured TTL and minimum. */
    void assertSoaInAuthority(String owner) {
      assertThat(dig.authority())
          .as(dig.output())
          .singleElement()
          .satisfies(
              rr -> {
                assertThat(rr.type()).isEqualTo("SOA");
                assertThat(rr.name()).isEqualTo(owner);
                assertThat(rr.ttl()).isEqualTo(TTL);
                assertThat(rr.rdata()).matches(SOA_DATA);
              });
      assertThat(dnsjava.getSection(Section.AUTHORITY))
          .singleElement()
          .isInstanceOfSatisfying(
              SOARecord.class,
              soa -> {
                assertThat(soa.getName().toString()).isEqualTo(owner);
                assertThat(soa.getTTL()).isEqualTo(TTL);
                assertThat(soa.getMinimum()).isEqualTo(TTL);
              });
    }
  }
}
