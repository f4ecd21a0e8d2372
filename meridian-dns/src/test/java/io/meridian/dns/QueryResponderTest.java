package io.meridian.dns;

import static io.meridian.dns.ClusterFixture.clusterIp;
import static io.meridian.dns.ClusterFixture.externalName;
import static io.meridian.dns.ClusterFixture.headless;
import static io.meridian.dns.ClusterFixture.port;
import static io.meridian.dns.TestZones.endpoint;
import static io.meridian.dns.TestZones.endpointRange;
import static io.meridian.dns.TestZones.endpoints;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The protocol logic without sockets: wire bytes in, wire bytes out, over a zone built from a
 * snapshot. Queries are encoded with dnsjava (or by hand when they must be malformed) and answers
 * decoded with it.
 */
class QueryResponderTest {

  private static final String WEB = "web.default.svc.cluster.local.";
  private static final String DB = "db.default.svc.cluster.local.";
  private static final String BIG = "big.default.svc.cluster.local.";
  private static final String HEAVY = "heavy.default.svc.cluster.local.";
  private static final List<String> DB_ORDER =
      List.of("10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5");

  /** web (ClusterIP), db (5 endpoints), big (60), heavy (weights 1,1,1,1,8), ext, v6. */
  private static final Zone ZONE =
      TestZones.zone(
          List.of(
              clusterIp("web", "10.96.0.10", port("http", 80)),
              clusterIp("v6", "fd00::10", port("http", 80)),
              headless("db", port("pg", 5432)),
              headless("big", port("pg", 5432)),
              headless("heavy", port("pg", 5432)),
              externalName("ext", "db.example.org")),
          List.of(
              endpoints("db", DB_ORDER.stream().map(a -> endpoint(a, null)).toList()),
              endpoints("big", endpointRange("10.2", 60)),
              endpoints(
                  "heavy",
                  List.of(
                      endpoint("10.3.0.1", 1),
                      endpoint("10.3.0.2", 1),
                      endpoint("10.3.0.3", 1),
                      endpoint("10.3.0.4", 1),
                      endpoint("10.3.0.5", 8)))),
          5);

  private final QueryResponder responder = new QueryResponder(() -> ZONE, 1232, 0, false);

  // ---- malformed and unsupported queries ------------------------------------------------------

  @Test
  void twoQuestionsAreFormerrWithTheIdEchoed() throws Exception {
    Message q = query(WEB, Type.A);
    q.addRecord(Record.newRecord(Name.fromString(DB), Type.A, DClass.IN), Section.QUESTION);
    q.getHeader().setID(0xabcd);

    Message r = answer(responder, q.toWire(), true);

    assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
    assertThat(r.getHeader().getID()).isEqualTo(0xabcd);
    assertThat(r.getHeader().getFlag(Flags.QR)).isTrue();
  }

  @Test
  void opcodeStatusIsNotimp() throws Exception {
    Message q = query(WEB, Type.A);
    q.getHeader().setOpcode(Opcode.STATUS);

    Message r = answer(responder, q.toWire(), true);

    assertThat(r.getRcode()).isEqualTo(Rcode.NOTIMP);
    assertThat(r.getHeader().getOpcode()).isEqualTo(Opcode.STATUS);
  }

  @Test
  void ednsVersionOneIsBadversInTheExtendedRcode() throws Exception {
    Message q = query(WEB, Type.A);
    q.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);

    Message r = answer(responder, q.toWire(), true);

    assertThat(r.getRcode()).isEqualTo(Rcode.BADVERS);
    assertThat(r.getHeader().getRcode()).isZero(); // the low four bits; the rest is in the OPT
    assertThat(r.getOPT()).isNotNull();
    assertThat(r.getOPT().getExtendedRcode()).isEqualTo(Rcode.BADVERS >> 4);
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
  }

  @Test
  void responsesAreDropped() throws Exception {
    Message q = query(WEB, Type.A);
    q.getHeader().setFlag(Flags.QR);

    assertThat(respond(responder, q.toWire(), true)).isNull();
  }

  @Test
  void packetsShorterThanAHeaderAreDroppedAndTwelveBytesAreAnswered() throws Exception {
    byte[] wire = query(WEB, Type.A).toWire();
    for (int len = 0; len < QueryResponder.HEADER; len++) {
      assertThat(respond(responder, Arrays.copyOf(wire, len), true)).as("%d bytes", len).isNull();
    }
    byte[] header = Arrays.copyOf(wire, QueryResponder.HEADER); // qdcount 1, no question
    assertThat(answer(responder, header, true).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void aCompressionPointerInTheQuestionIsFormerr() throws Exception {
    byte[] wire = query(WEB, Type.A).toWire();
    // "web" then a pointer to offset 12, the name itself: a loop if it were followed
    byte[] looped = Arrays.copyOf(wire, 12 + 4 + 2 + 4);
    looped[16] = (byte) 0xc0;
    looped[17] = 12;
    System.arraycopy(new byte[] {0, 1, 0, 1}, 0, looped, 18, 4);

    Message r = answer(responder, looped, true);

    assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
    assertThat(r.getSection(Section.QUESTION)).isEmpty();
  }

  @Test
  void twoOptRecordsAreFormerr() throws Exception {
    Message q = query(WEB, Type.A);
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    byte[] one = q.toWire();
    byte[] two = Arrays.copyOf(one, one.length + 11);
    System.arraycopy(one, one.length - 11, two, one.length, 11);
    two[11] = 2; // arcount

    assertThat(answer(responder, one, true).getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answer(responder, two, true).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void classChaosIsRefusedAndClassAnyAnswered() throws Exception {
    Message chaos = Message.newQuery(Record.newRecord(Name.fromString(WEB), Type.A, DClass.CH));
    Message any = Message.newQuery(Record.newRecord(Name.fromString(WEB), Type.A, DClass.ANY));

    assertThat(answer(responder, chaos.toWire(), true).getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(addresses(answer(responder, any.toWire(), true))).containsExactly("10.96.0.10");
  }

  // ---- answers --------------------------------------------------------------------------------

  @Test
  void anyAnswersEveryRecordAtTheName() throws Exception {
    Message web = answer(responder, query(WEB, Type.ANY).toWire(), true);
    Message db = answer(responder, query(DB, Type.ANY).toWire(), true);
    Message apex = answer(responder, query("cluster.local.", Type.ANY).toWire(), true);

    assertThat(addresses(web)).containsExactly("10.96.0.10");
    assertThat(addresses(db)).containsExactlyInAnyOrderElementsOf(DB_ORDER);
    assertThat(apex.getSection(Section.ANSWER)).singleElement().isInstanceOf(SOARecord.class);
  }

  @Test
  void aForAnExternalNameIsItsCname() throws Exception {
    Message r = answer(responder, query("ext.default.svc.cluster.local.", Type.A).toWire(), true);

    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(r.getSection(Section.ANSWER))
        .singleElement()
        .isInstanceOfSatisfying(
            CNAMERecord.class,
            c -> assertThat(c.getTarget().toString()).isEqualTo("db.example.org."));
  }

  @Test
  void aaaaAndPtrOfAnIpv6ClusterIp() throws Exception {
    Message aaaa =
        answer(responder, query("v6.default.svc.cluster.local.", Type.AAAA).toWire(), true);
    Message ptr =
        answer(
            responder,
            query(
                    "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.",
                    Type.PTR)
                .toWire(),
            true);

    assertThat(aaaa.getSection(Section.ANSWER))
        .singleElement()
        .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("fd00:0:0:0:0:0:0:10"));
    assertThat(ptr.getSection(Section.ANSWER))
        .singleElement()
        .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("v6.default.svc.cluster.local."));
  }

  @Test
  void anEmptyNonTerminalIsNodataAndAMissingNameNxdomain() throws Exception {
    for (String ent :
        List.of(
            "default.svc.cluster.local.",
            "svc.cluster.local.",
            "_tcp.db.default.svc.cluster.local.")) {
      Message r = answer(responder, query(ent, Type.A).toWire(), true);
      assertThat(r.getRcode()).as(ent).isEqualTo(Rcode.NOERROR);
      assertThat(r.getSection(Section.ANSWER)).as(ent).isEmpty();
      assertThat(r.getSection(Section.AUTHORITY))
          .as(ent)
          .singleElement()
          .isInstanceOf(SOARecord.class);
    }
    Message missing = answer(responder, query("nosuch.svc.cluster.local.", Type.A).toWire(), true);
    assertThat(missing.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(missing.getHeader().getFlag(Flags.AA)).isTrue();
  }

  @Test
  void theNegativeSoaIsOwnedByTheApexAsTheQuestionSpelledIt() throws Exception {
    Message r =
        answer(responder, query("NoSuch.Default.SVC.Cluster.Local.", Type.A).toWire(), true);

    assertThat(r.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(r.getSection(Section.AUTHORITY))
        .singleElement()
        .satisfies(soa -> assertThat(soa.getName().toString()).isEqualTo("Cluster.Local."));
  }

  @Test
  void answersRotateFromARandomStartInTheZoneOrder() throws Exception {
    Set<String> firsts = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      List<String> got = addresses(answer(responder, query(DB, Type.A).toWire(), true));
      int start = DB_ORDER.indexOf(got.get(0));
      List<String> rotation = new ArrayList<>(DB_ORDER.subList(start, DB_ORDER.size()));
      rotation.addAll(DB_ORDER.subList(0, start));
      assertThat(got).isEqualTo(rotation);
      firsts.add(got.get(0));
    }
    // 100 answers all starting at one record: probability 5^-99
    assertThat(firsts).hasSizeGreaterThan(1);
  }

  @Test
  void maxAnswersCapsEqualWeightsToAWindowOfTheRotation() throws Exception {
    QueryResponder capped = new QueryResponder(() -> ZONE, 1232, 2, false);
    Set<String> firsts = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      List<String> got = addresses(answer(capped, query(DB, Type.A).toWire(), true));
      assertThat(got).hasSize(2);
      int first = DB_ORDER.indexOf(got.get(0));
      assertThat(got.get(1)).isEqualTo(DB_ORDER.get((first + 1) % DB_ORDER.size()));
      firsts.add(got.get(0));
    }
    assertThat(firsts).hasSizeGreaterThan(1);
  }

  @Test
  void aCappedAnswerOverUnequalWeightsFavoursTheHeavierEndpoint() throws Exception {
    QueryResponder capped = new QueryResponder(() -> ZONE, 1232, 2, false);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      List<String> got = addresses(answer(capped, query(HEAVY, Type.A).toWire(), true));
      assertThat(got).hasSize(2).doesNotHaveDuplicates();
      got.forEach(a -> seen.merge(a, 1, Integer::sum));
    }
    // weight 8 of 12: in about 91% of answers; each weight-1 endpoint in about 27%
    int heavy = seen.getOrDefault("10.3.0.5", 0);
    int lightest = Integer.MAX_VALUE;
    int heaviestLight = 0;
    for (String light : List.of("10.3.0.1", "10.3.0.2", "10.3.0.3", "10.3.0.4")) {
      lightest = Math.min(lightest, seen.getOrDefault(light, 0));
      heaviestLight = Math.max(heaviestLight, seen.getOrDefault(light, 0));
    }
    assertThat(heavy).as("%s", seen).isGreaterThan(2 * heaviestLight).isGreaterThan(1600);
    assertThat(lightest).as("%s", seen).isGreaterThan(300);
  }

  @Test
  void unequalWeightsWithoutACapStillAnswerEveryRecord() throws Exception {
    List<String> got = addresses(answer(responder, query(HEAVY, Type.A).toWire(), true));

    assertThat(got)
        .containsExactlyInAnyOrder("10.3.0.1", "10.3.0.2", "10.3.0.3", "10.3.0.4", "10.3.0.5");
  }

  // ---- sizes ----------------------------------------------------------------------------------

  /** big: header 12 + question 35 + 60 A records of 16 bytes = 1007 bytes, 1018 with an OPT. */
  @Test
  void withoutEdnsAUdpAnswerStaysWithin512BytesAndIsTruncated() throws Exception {
    byte[] raw = respond(responder, query(BIG, Type.A).toWire(), true);
    Message r = new Message(raw);

    assertThat(raw.length).isLessThanOrEqualTo(512);
    assertThat(r.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getQuestion().getName().toString()).isEqualTo(BIG);
  }

  @Test
  void theEdnsBufferSizeIsTheLimitToTheByte() throws Exception {
    byte[] exact = respond(responder, ednsQuery(BIG, Type.A, 1018), true);
    Message fits = new Message(exact);
    Message oneShort = new Message(respond(responder, ednsQuery(BIG, Type.A, 1017), true));

    assertThat(exact).hasSize(1018);
    assertThat(fits.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(fits.getSection(Section.ANSWER)).hasSize(60);
    assertThat(fits.getOPT().getPayloadSize()).isEqualTo(1232);
    assertThat(oneShort.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(oneShort.getSection(Section.ANSWER)).isEmpty();
  }

  @Test
  void theEdnsBufferSizeIsClampedToMaxUdpPayloadAndTo512() throws Exception {
    QueryResponder small = new QueryResponder(() -> ZONE, 1000, 0, false);

    Message clamped = new Message(respond(small, ednsQuery(BIG, Type.A, 4096), true));
    Message tiny = new Message(respond(responder, ednsQuery(DB, Type.A, 100), true));

    assertThat(clamped.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(clamped.getOPT().getPayloadSize()).isEqualTo(1000);
    assertThat(tiny.getHeader().getFlag(Flags.TC)).isFalse(); // 100 counts as 512
    assertThat(tiny.getSection(Section.ANSWER)).hasSize(5);
  }

  @Test
  void overTcpEveryRecordIsAnswered() throws Exception {
    Message r = answer(responder, query(BIG, Type.A).toWire(), false);

    assertThat(r.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(addresses(r)).hasSize(60).doesNotHaveDuplicates();
  }

  // ---- truncate() -----------------------------------------------------------------------------

  @Test
  void truncateKeepsHeaderAndQuestionAndSetsTc() throws Exception {
    Message q = query("Db.Default.Svc.Cluster.Local.", Type.A);
    Message r = truncated(q);

    assertThat(r.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(r.getHeader().getID()).isEqualTo(q.getHeader().getID());
    assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(r.getQuestion().getName().toString()).isEqualTo("Db.Default.Svc.Cluster.Local.");
    assertThat(r.getQuestion().getType()).isEqualTo(Type.A);
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getSection(Section.AUTHORITY)).isEmpty();
    assertThat(r.numBytes()).isEqualTo(12 + 30 + 4);
  }

  @Test
  void truncateKeepsTheOptRecordOfAnEdnsAnswer() throws Exception {
    Message q = query(DB, Type.A);
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);

    Message r = truncated(q);

    assertThat(r.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getOPT()).isNotNull();
    assertThat(r.getOPT().getPayloadSize()).isEqualTo(1232);
  }

  @Test
  void truncateOfAHeaderOnlyAnswerLeavesTwelveBytes() throws Exception {
    Message q = query(WEB, Type.A);
    q.getHeader().setOpcode(Opcode.STATUS);
    ByteBuf response =
        responder.respond(
            Unpooled.wrappedBuffer(q.toWire()), UnpooledByteBufAllocator.DEFAULT, true);
    try {
      QueryResponder.truncate(response);
      Message r = new Message(ByteBufUtil.getBytes(response));

      assertThat(response.readableBytes()).isEqualTo(12);
      assertThat(r.getHeader().getFlag(Flags.TC)).isTrue();
      assertThat(r.getRcode()).isEqualTo(Rcode.NOTIMP);
    } finally {
      response.release();
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The answer to {@code q}, cut down by {@link QueryResponder#truncate}. */
  private Message truncated(Message q) throws IOException {
    ByteBuf response =
        responder.respond(
            Unpooled.wrappedBuffer(q.toWire()), UnpooledByteBufAllocator.DEFAULT, true);
    try {
      assertThat(response.getUnsignedShort(6)).as("answers before truncating").isPositive();
      QueryResponder.truncate(response);
      return new Message(ByteBufUtil.getBytes(response));
    } finally {
      response.release();
    }
  }

  static Message query(String name, int type) throws IOException {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  static byte[] ednsQuery(String name, int type, int payload) throws IOException {
    Message q = query(name, type);
    q.addRecord(new OPTRecord(payload, 0, 0), Section.ADDITIONAL);
    return q.toWire();
  }

  /** The response's bytes (null: none), its buffer released. */
  static byte[] respond(QueryResponder responder, byte[] query, boolean udp) {
    ByteBuf in = Unpooled.wrappedBuffer(query);
    ByteBuf out = responder.respond(in, UnpooledByteBufAllocator.DEFAULT, udp);
    assertThat(in.readerIndex()).as("the query is not consumed").isZero();
    if (out == null) {
      return null;
    }
    try {
      return ByteBufUtil.getBytes(out);
    } finally {
      assertThat(out.release()).as("the response is ours alone").isTrue();
    }
  }

  static Message answer(QueryResponder responder, byte[] query, boolean udp) throws IOException {
    byte[] raw = respond(responder, query, udp);
    assertThat(raw).as("an answer").isNotNull();
    Message r = new Message(raw);
    assertThat(r.getHeader().getID()).isEqualTo(((query[0] & 0xff) << 8) | (query[1] & 0xff));
    return r;
  }

  static List<String> addresses(Message r) {
    return r.getSection(Section.ANSWER).stream()
        .map(rr -> ((ARecord) rr).getAddress().getHostAddress())
        .toList();
  }
}
