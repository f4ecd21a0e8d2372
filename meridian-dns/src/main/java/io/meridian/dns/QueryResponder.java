package io.meridian.dns;

import io.meridian.balancer.RandomSource;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Answers one DNS query, given as wire bytes, with the wire bytes of the response: the whole
 * protocol logic of the server, without sockets (the UDP and TCP handlers only move bytes).
 *
 * <h2>Design note</h2>
 *
 * <p><b>Parsing.</b> The query is read in place: header, the one question (its name folded to lower
 * case into a reused buffer while its hash is computed), and the additional section for an EDNS0
 * OPT record (RFC 6891). Anything that breaks RFC 1035's layout gets FORMERR when the header could
 * be read, and is dropped when it could not (there is no ID to answer) or when it is itself a
 * response (QR set: answering responses is how reflection loops start). A compression pointer in
 * the question name is FORMERR: no resolver sends one, and refusing them rules out pointer loops.
 *
 * <p><b>Answering.</b> The {@link Zone} holds every record's RDATA already encoded, so an answer is
 * the echoed question (as sent: case preserved, RFC 4343 §4.1), then per record a compression
 * pointer to the question name, type, class, TTL and RDATA. Negative answers carry the zone's SOA
 * in the authority section with its owner compressed against the question (RFC 2308). Records are
 * rotated from a random start on every answer, so naive clients that take the first address spread
 * over all of them; with a cap on answer records, a capped set is a random window of that rotation,
 * or a weighted sample by instance weight when weights differ.
 *
 * <p><b>Size.</b> A UDP answer is limited to 512 bytes, or with EDNS0 to the client's buffer size
 * clamped to [512, {@code maxUdpPayload}] (1232 by default: the DNS Flag Day 2020 value, which
 * avoids IP fragmentation). An answer that does not fit is sent empty with TC set, and the client
 * retries over TCP, where up to 65,535 bytes fit.
 *
 * <p><b>Forwarding.</b> With an upstream configured, a query for a name the zone neither holds nor
 * is authoritative for is not answered here: {@link #respond} returns null with {@link #forward()}
 * set, and the handler hands the query to its {@link Forwarder}.
 *
 * <p>Thread-safety: not thread-safe (it reuses its parse buffers); each channel handler owns one.
 * The zone is read once per query from the shared supplier.
 */
final class QueryResponder {

  static final int HEADER = 12;
  private static final int OPT_RR = 11;

  private final Supplier<Zone> zones;
  private final int maxUdpPayload;
  private final int maxAnswers;
  private final boolean forwarding;
  private boolean forward;

  // Parse state of the current query; reused. The query is copied into buf once: parsing an
  // array is cheaper than a ByteBuf's bounds-checked reads, and the question is echoed from it.
  private byte[] buf = new byte[512];
  private final byte[] qname = new byte[Names.MAX_NAME];
  private int qnameLen;
  private int qnameHash;
  private int questionEnd;
  private int qtype;
  private int qclass;
  private boolean edns;
  private int udpSize;
  private int ednsVersion;
  private long[] chosen = new long[4];

  QueryResponder(Supplier<Zone> zones, int maxUdpPayload, int maxAnswers, boolean forwarding) {
    this.zones = zones;
    this.maxUdpPayload = maxUdpPayload;
    this.maxAnswers = maxAnswers;
    this.forwarding = forwarding;
  }

  /**
   * Whether the last {@link #respond} returned null because the query is for a name outside the
   * zone and should go to the upstream (only when forwarding is on).
   */
  boolean forward() {
    return forward;
  }

  /**
   * The response to {@code query} (its readable bytes; not consumed or released), or null to send
   * nothing.
   *
   * @param udp whether it came over UDP (size limits, truncation)
   */
  ByteBuf respond(ByteBuf query, ByteBufAllocator alloc, boolean udp) {
    int end = query.readableBytes();
    if (end < HEADER) {
      return null;
    }
    if (buf.length < end) {
      buf = new byte[Math.max(end, buf.length * 2)];
    }
    query.getBytes(query.readerIndex(), buf, 0, end);
    int id = u16(0);
    int flags = u16(2);
    if ((flags & 0x8000) != 0) {
      return null;
    }
    int opcode = (flags >> 11) & 0xf;
    int qd = u16(4);
    int an = u16(6);
    int ns = u16(8);
    int ar = u16(10);
    edns = false;
    forward = false;
    if (opcode != 0) {
      return headerOnly(alloc, id, flags, Rcode.NOTIMP);
    }
    if (qd != 1 || an != 0 || ns != 0 || !parseQuestion(end)) {
      return headerOnly(alloc, id, flags, Rcode.FORMERR);
    }
    if (!parseAdditional(questionEnd, end, ar)) {
      return headerOnly(alloc, id, flags, Rcode.FORMERR);
    }
    if (forwarding && (!edns || ednsVersion == 0) && outsideZone()) {
      forward = true;
      return null;
    }
    int limit = udp ? (edns ? Math.max(512, Math.min(udpSize, maxUdpPayload)) : 512) : 65535;
    ByteBuf out = alloc.ioBuffer(Math.min(limit, 512));
    try {
      writeAnswer(out, id, flags, limit);
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** Whether the parsed question is for a name the zone neither holds nor is authoritative for. */
  private boolean outsideZone() {
    Zone zone = zones.get();
    return !Names.within(qname, qnameLen, zone.apex())
        && zone.find(qname, qnameLen, qnameHash) == null;
  }

  // ---- parsing -----------------------------------------------------------------------------

  private int u16(int p) {
    return (buf[p] & 0xff) << 8 | (buf[p + 1] & 0xff);
  }

  private boolean parseQuestion(int end) {
    int p = HEADER;
    int len = 0;
    int h = 0x811c9dc5;
    while (true) {
      if (p >= end) {
        return false;
      }
      int l = (buf[p] & 0xff);
      if (l == 0) {
        break;
      }
      if ((l & 0xc0) != 0 || p + 1 + l >= end || len + 1 + l + 1 > Names.MAX_NAME) {
        return false; // a pointer or reserved label type, a label past the end, a name too long
      }
      qname[len++] = (byte) l;
      h = (h ^ l) * 0x01000193;
      for (int i = 1; i <= l; i++) {
        int c = (buf[p + i] & 0xff);
        if (c >= 'A' && c <= 'Z') {
          c += 'a' - 'A';
        }
        qname[len++] = (byte) c;
        h = (h ^ c) * 0x01000193;
      }
      p += 1 + l;
    }
    qname[len++] = 0;
    h = (h ^ 0) * 0x01000193;
    p++;
    if (p + 4 > end) {
      return false;
    }
    qnameLen = len;
    qnameHash = h;
    qtype = u16(p);
    qclass = u16(p + 2);
    questionEnd = p + 4;
    return true;
  }

  /** Walks the additional section for an OPT record; false when it is malformed. */
  private boolean parseAdditional(int p, int end, int count) {
    for (int i = 0; i < count; i++) {
      int nameStart = p;
      // skip an owner name (compression allowed here; a pointer ends the name)
      while (true) {
        if (p >= end) {
          return false;
        }
        int l = (buf[p] & 0xff);
        if (l == 0) {
          p++;
          break;
        }
        if ((l & 0xc0) == 0xc0) {
          p += 2;
          break;
        }
        if ((l & 0xc0) != 0) {
          return false;
        }
        p += 1 + l;
      }
      if (p + 10 > end) {
        return false;
      }
      int type = u16(p);
      int rdlen = u16(p + 8);
      if (p + 10 + rdlen > end) {
        return false;
      }
      if (type == RrType.OPT) {
        if (edns || p - nameStart != 1) {
          return false; // two OPTs, or an OPT not owned by the root (RFC 6891 §6.1.1)
        }
        edns = true;
        udpSize = u16(p + 2);
        ednsVersion = (buf[p + 5] & 0xff);
      }
      p += 10 + rdlen;
    }
    return true;
  }

  // ---- answering ---------------------------------------------------------------------------

  private void writeAnswer(ByteBuf out, int id, int flags, int limit) {
    out.writerIndex(HEADER);
    out.writeBytes(buf, HEADER, questionEnd - HEADER);
    int afterQuestion = out.writerIndex();
    int optLen = edns ? OPT_RR : 0;
    limit -= optLen;
    int rcode = Rcode.NOERROR;
    boolean aa = false;
    int answers = 0;
    int authority = 0;
    boolean truncated = false;
    Zone zone = zones.get();
    if (edns && ednsVersion != 0) {
      rcode = Rcode.BADVERS;
    } else if (qclass != RrType.CLASS_IN && qclass != RrType.CLASS_ANY) {
      rcode = Rcode.REFUSED;
    } else {
      ZoneNode node = zone.find(qname, qnameLen, qnameHash);
      boolean inZone = Names.within(qname, qnameLen, zone.apex());
      if (node == null && !inZone) {
        rcode = Rcode.REFUSED;
      } else {
        aa = true;
        if (node == null) {
          rcode = Rcode.NXDOMAIN;
        } else if (node.cname != null && qtype != RrType.CNAME) {
          answers = write(out, node.cname, zone.ttl(), limit);
        } else if (qtype == RrType.ANY) {
          for (RecordSet s : new RecordSet[] {node.a, node.aaaa, node.srv, node.ptr, node.cname}) {
            if (s != null && answers >= 0) {
              int n = write(out, s, zone.ttl(), limit);
              answers = n < 0 ? -1 : answers + n;
            }
          }
          if (node.apex && answers >= 0) {
            answers = writeSoa(out, zone, limit, 0x0c) ? answers + 1 : -1;
          }
        } else if (qtype == RrType.SOA && node.apex) {
          answers = writeSoa(out, zone, limit, 0x0c) ? 1 : -1;
        } else {
          RecordSet s = node.get(qtype);
          if (s != null) {
            answers = write(out, s, zone.ttl(), limit);
          }
        }
        if (answers < 0) {
          truncated = true;
        } else if (answers == 0 && inZone) {
          int off = Names.suffixOffset(qname, qnameLen, zone.apex());
          if (writeSoa(out, zone, limit, HEADER + off)) {
            authority = 1;
          } else {
            truncated = true;
          }
        }
      }
    }
    if (truncated) {
      out.writerIndex(afterQuestion);
      answers = 0;
      authority = 0;
    }
    int ext = rcode >> 4;
    if (edns) {
      out.writeByte(0);
      out.writeShort(RrType.OPT);
      out.writeShort(maxUdpPayload);
      out.writeInt(ext << 24);
      out.writeShort(0);
    }
    int outFlags =
        0x8000
            | (flags & 0x7800) // opcode
            | (aa ? 0x0400 : 0)
            | (truncated ? 0x0200 : 0)
            | (flags & 0x0100) // RD
            | (flags & 0x0010) // CD
            | (rcode & 0xf);
    out.setShort(0, id);
    out.setShort(2, outFlags);
    out.setShort(4, 1);
    out.setShort(6, answers);
    out.setShort(8, authority);
    out.setShort(10, edns ? 1 : 0);
  }

  /** Writes {@code set}'s records (rotated, capped); the count, or -1 when they do not fit. */
  private int write(ByteBuf out, RecordSet set, int ttl, int limit) {
    int n = set.size();
    int count = maxAnswers > 0 ? Math.min(n, maxAnswers) : n;
    int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
    if (count < n && set.alias != null) {
      return writeWeighted(out, set, ttl, limit, count);
    }
    for (int k = 0; k < count; k++) {
      int i = start + k;
      if (i >= n) {
        i -= n;
      }
      if (!writeRecord(out, set, i, ttl, limit)) {
        return -1;
      }
    }
    return count;
  }

  /** {@code count} distinct records sampled by weight (a capped answer over unequal weights). */
  private int writeWeighted(ByteBuf out, RecordSet set, int ttl, int limit, int count) {
    int n = set.size();
    int words = (n + 63) >>> 6;
    if (chosen.length < words) {
      chosen = new long[words];
    }
    Arrays.fill(chosen, 0, words, 0L);
    int written = 0;
    RandomSource random = RandomSource.threadLocal();
    for (int tries = 0; written < count && tries < 4 * count; tries++) {
      int i = set.alias.next(random);
      if ((chosen[i >>> 6] & (1L << i)) == 0) {
        chosen[i >>> 6] |= 1L << i;
        if (!writeRecord(out, set, i, ttl, limit)) {
          return -1;
        }
        written++;
      }
    }
    for (int i = 0; written < count && i < n; i++) { // unlucky draws: fill in order
      if ((chosen[i >>> 6] & (1L << i)) == 0) {
        if (!writeRecord(out, set, i, ttl, limit)) {
          return -1;
        }
        written++;
      }
    }
    return written;
  }

  private static boolean writeRecord(ByteBuf out, RecordSet set, int i, int ttl, int limit) {
    byte[] rdata = set.rdata[i];
    if (out.writerIndex() + 12 + rdata.length > limit) {
      return false;
    }
    out.writeShort(0xc000 | HEADER); // the question's name
    out.writeShort(set.type);
    out.writeShort(RrType.CLASS_IN);
    out.writeInt(ttl);
    out.writeShort(rdata.length);
    out.writeBytes(rdata);
    return true;
  }

  /** {@code ns.dns} and {@code hostmaster}: the SOA's MNAME and RNAME labels above the apex. */
  private static final byte[] SOA_MNAME = {2, 'n', 's', 3, 'd', 'n', 's'};

  private static final byte[] SOA_RNAME = {10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r'};

  /**
   * The zone's SOA, its owner a pointer to the apex at offset {@code apexAt} of the message, and
   * its MNAME and RNAME compressed against it too (RFC 1035 §4.1.4): 42 bytes of RDATA instead of
   * the zone's uncompressed {@link Zone#soa()}, which smaller negative answers repay.
   */
  private static boolean writeSoa(ByteBuf out, Zone zone, int limit, int apexAt) {
    byte[] soa = zone.soa();
    int rdlen = SOA_MNAME.length + 2 + SOA_RNAME.length + 2 + 20;
    if (out.writerIndex() + 12 + rdlen > limit) {
      return false;
    }
    int pointer = 0xc000 | apexAt;
    out.writeShort(pointer);
    out.writeShort(RrType.SOA);
    out.writeShort(RrType.CLASS_IN);
    out.writeInt(zone.ttl());
    out.writeShort(rdlen);
    out.writeBytes(SOA_MNAME);
    out.writeShort(pointer);
    out.writeBytes(SOA_RNAME);
    out.writeShort(pointer);
    out.writeBytes(soa, soa.length - 20, 20); // serial, refresh, retry, expire, minimum
    return true;
  }

  /**
   * Cuts {@code response} (one of ours) down to its header and question with TC set, in place: the
   * answer a rate-limited client gets instead of silence.
   */
  static void truncate(ByteBuf response) {
    int p = response.getUnsignedShort(4) == 1 ? questionEndOf(response) : HEADER;
    // our OPT, when there is one, is the last record: keep it (RFC 6891 §7)
    boolean opt = response.getUnsignedShort(10) == 1 && response.writerIndex() >= p + OPT_RR;
    if (opt) {
      response.setBytes(p, response, response.writerIndex() - OPT_RR, OPT_RR);
      p += OPT_RR;
    }
    response.writerIndex(p);
    response.setShort(2, response.getUnsignedShort(2) | 0x0200);
    response.setShort(6, 0);
    response.setShort(8, 0);
    response.setShort(10, opt ? 1 : 0);
  }

  /**
   * Where the question of {@code message} (a query this class parsed, or an answer of ours) ends:
   * the index after its name, QTYPE and QCLASS.
   */
  static int questionEndOf(ByteBuf message) {
    int p = message.readerIndex() + HEADER;
    while (p < message.writerIndex() && message.getUnsignedByte(p) != 0) {
      p += message.getUnsignedByte(p) + 1;
    }
    return p + 5;
  }

  /** A header-only answer (no question echoed) with {@code rcode}. */
  private static ByteBuf headerOnly(ByteBufAllocator alloc, int id, int flags, int rcode) {
    ByteBuf out = alloc.ioBuffer(HEADER);
    out.writeShort(id);
    out.writeShort(0x8000 | (flags & 0x7800) | (flags & 0x0100) | rcode);
    out.writeZero(8);
    return out;
  }
}
