package io.meridian.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Packets for the fuzz tests: valid queries (random ID, flags, case, type, class and EDNS) for
 * names in and out of the test zone, broken on purpose while they are built (compression pointers
 * and pointer loops in the question and the additional section, label lengths past the end or over
 * 63, reserved label types, names over 255 bytes, two OPT records, bad RDLENGTHs) or afterwards
 * (bit flips, truncation, wrong counts, QR set, other opcodes, garbage appended, two packets
 * spliced); and plain random bytes.
 *
 * <p>Thread-safety: not thread-safe (one random source).
 */
final class HostilePackets {

  private static final List<String> NAMES =
      List.of(
          "web.default.svc.cluster.local",
          "db.default.svc.cluster.local",
          "big.default.svc.cluster.local",
          "ext.default.svc.cluster.local",
          "v6.default.svc.cluster.local",
          "_http._tcp.web.default.svc.cluster.local",
          "_pg._tcp.db.default.svc.cluster.local",
          "10-1-0-1.db.default.svc.cluster.local",
          "default.svc.cluster.local",
          "cluster.local",
          "nosuch.default.svc.cluster.local",
          "10.0.96.10.in-addr.arpa",
          "1.0.1.10.in-addr.arpa",
          "example.com",
          "xcluster.local",
          "");
  private static final int[] TYPES = {1, 28, 33, 12, 5, 6, 255, 2, 16, 41, 0, 252, 65535};

  private final Random random;

  HostilePackets(Random random) {
    this.random = random;
  }

  /** The next packet: 10% random bytes, 10% valid queries, the rest broken queries. */
  byte[] next() {
    int kind = random.nextInt(100);
    if (kind < 10) {
      return randomBytes(random.nextInt(4) == 0 ? random.nextInt(12) : random.nextInt(600));
    }
    if (kind < 20) {
      return query(false);
    }
    byte[] p = query(random.nextInt(3) == 0);
    for (int m = 1 + random.nextInt(3); m > 0; m--) {
      p = mutate(p);
    }
    return p;
  }

  // ---- building -----------------------------------------------------------------------------

  /** A query; {@code broken}: with one structural fault chosen at random. */
  private byte[] query(boolean broken) {
    int fault = broken ? random.nextInt(9) : -1;
    Out out = new Out();
    out.u16(random.nextInt(0x10000));
    out.u16(random.nextBoolean() ? 0x0100 : random.nextInt(0x10000) & 0x0110); // RD, CD
    boolean edns = random.nextInt(3) > 0;
    int optCount = fault == 0 ? 2 : edns ? 1 : 0;
    boolean extraRecord = fault == 1 || fault == 2;
    out.u16(1);
    out.u16(0);
    out.u16(0);
    out.u16(optCount + (extraRecord ? 1 : 0));
    question(out, fault);
    if (extraRecord) {
      // an A record in additional whose owner is a pointer: to the question (1) or to itself (2)
      int at = out.size();
      out.u16(0xc000 | (fault == 1 ? 12 : at));
      out.u16(1);
      out.u16(1);
      out.u32(0);
      out.u16(4);
      out.u32(random.nextInt());
    }
    for (int i = 0; i < optCount; i++) {
      opt(out, fault);
    }
    return out.toByteArray();
  }

  private void question(Out out, int fault) {
    String name = NAMES.get(random.nextInt(NAMES.size()));
    String[] labels = name.isEmpty() ? new String[0] : name.split("\\.");
    int pointerAt = fault == 3 ? random.nextInt(labels.length + 1) : -1;
    for (int i = 0; i < labels.length; i++) {
      if (i == pointerAt) {
        break;
      }
      byte[] l = randomCase(labels[i]).getBytes(StandardCharsets.US_ASCII);
      int len = l.length;
      if (fault == 4 && i == labels.length - 1) {
        len = 64 + random.nextInt(192); // over 63, or a reserved (0x40, 0x80) or pointer type
      }
      out.write(len);
      out.writeBytes(l);
    }
    if (pointerAt >= 0) {
      // to the start of the name, to itself (a loop) or anywhere
      int target =
          switch (random.nextInt(3)) {
            case 0 -> 12;
            case 1 -> out.size();
            default -> random.nextInt(0x4000);
          };
      out.u16(0xc000 | target);
    } else if (fault == 5) {
      for (int i = 0; i < 5; i++) { // 5 labels of 63: a name of 321 bytes
        out.write(63);
        out.writeBytes(randomBytes(63));
      }
      out.write(0);
    } else if (fault == 6) {
      out.write(60); // a label running past the end of the packet
      out.writeBytes(randomBytes(random.nextInt(60)));
      return;
    } else {
      out.write(0);
    }
    out.u16(random.nextInt(4) == 0 ? random.nextInt(0x10000) : TYPES[random.nextInt(TYPES.length)]);
    int cls = random.nextInt(10);
    out.u16(cls < 7 ? 1 : cls == 7 ? 255 : cls == 8 ? 3 : random.nextInt(0x10000));
  }

  private void opt(Out out, int fault) {
    if (fault == 7) {
      out.u16(0xc000 | (random.nextBoolean() ? 12 : out.size())); // a pointer as OPT owner
    } else {
      out.write(0);
    }
    out.u16(41);
    int[] sizes = {0, 511, 512, 1232, 4096, 65535};
    out.u16(random.nextBoolean() ? sizes[random.nextInt(sizes.length)] : random.nextInt(0x10000));
    out.write(random.nextInt(8) == 0 ? random.nextInt(256) : 0); // extended rcode
    out.write(random.nextInt(8) == 0 ? random.nextInt(256) : 0); // version
    out.u16(random.nextBoolean() ? 0x8000 : 0); // DO
    byte[] options = new byte[0];
    if (random.nextBoolean()) { // a client cookie, as dig sends
      options = new byte[12];
      options[1] = 10;
      options[3] = 8;
      System.arraycopy(randomBytes(8), 0, options, 4, 8);
    }
    int rdlen = fault == 8 ? random.nextInt(0x10000) : options.length;
    out.u16(rdlen);
    out.writeBytes(options);
  }

  // ---- mutating -----------------------------------------------------------------------------

  private byte[] mutate(byte[] p) {
    switch (random.nextInt(9)) {
      case 0 -> { // bit flips
        if (p.length > 0) {
          for (int i = 1 + random.nextInt(8); i > 0; i--) {
            int bit = random.nextInt(p.length * 8);
            p[bit >> 3] ^= (byte) (1 << (bit & 7));
          }
        }
        return p;
      }
      case 1 -> { // truncation
        return Arrays.copyOf(p, p.length == 0 ? 0 : random.nextInt(p.length));
      }
      case 2 -> { // wrong counts
        if (p.length >= 12) {
          int at = 4 + 2 * random.nextInt(4);
          int[] values = {0, 1, 2, 0xffff, random.nextInt(0x10000)};
          int v = values[random.nextInt(values.length)];
          p[at] = (byte) (v >> 8);
          p[at + 1] = (byte) v;
        }
        return p;
      }
      case 3 -> { // QR set: a response, which must never be answered
        if (p.length >= 3) {
          p[2] |= (byte) 0x80;
        }
        return p;
      }
      case 4 -> { // another opcode
        if (p.length >= 3) {
          p[2] = (byte) ((p[2] & 0x87) | (random.nextInt(16) << 3));
        }
        return p;
      }
      case 5 -> { // random flag bits
        if (p.length >= 4) {
          p[2] = (byte) (random.nextInt(256) & 0x7f);
          p[3] = (byte) random.nextInt(256);
        }
        return p;
      }
      case 6 -> { // garbage appended
        byte[] g = randomBytes(1 + random.nextInt(100));
        byte[] q = Arrays.copyOf(p, p.length + g.length);
        System.arraycopy(g, 0, q, p.length, g.length);
        return q;
      }
      case 7 -> { // spliced with another query
        byte[] other = query(false);
        int cut = random.nextInt(p.length + 1);
        int from = random.nextInt(other.length + 1);
        byte[] q = Arrays.copyOf(p, cut + other.length - from);
        System.arraycopy(other, from, q, cut, other.length - from);
        return q;
      }
      default -> { // one random byte overwritten
        if (p.length > 0) {
          p[random.nextInt(p.length)] = (byte) random.nextInt(256);
        }
        return p;
      }
    }
  }

  private String randomCase(String label) {
    if (random.nextInt(4) != 0) {
      return label;
    }
    char[] c = label.toCharArray();
    for (int i = 0; i < c.length; i++) {
      if (random.nextBoolean()) {
        c[i] = Character.toUpperCase(c[i]);
      }
    }
    return new String(c);
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** A byte array output with big-endian shorts and ints. */
  private static final class Out extends ByteArrayOutputStream {
    void u16(int v) {
      write(v >> 8);
      write(v);
    }

    void u32(int v) {
      u16(v >>> 16);
      u16(v & 0xffff);
    }
  }
}
