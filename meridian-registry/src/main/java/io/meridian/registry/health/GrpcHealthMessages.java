package io.meridian.registry.health;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of the gRPC health checking protocol, encoded and decoded by hand.
 *
 * <p>Design note. {@code grpc.health.v1.Health/Check} (grpc/grpc doc/health-checking.md) takes
 * {@code HealthCheckRequest { string service = 1; }} and answers {@code HealthCheckResponse {
 * ServingStatus status = 1; }} with UNKNOWN=0, SERVING=1, NOT_SERVING=2, SERVICE_UNKNOWN=3. Each
 * message travels in a gRPC length-prefixed frame (grpc/grpc doc/PROTOCOL-HTTP2.md,
 * "Length-Prefixed-Message"): one compressed-flag byte, a 4-byte big-endian length, the message.
 * The protobuf encoding (protobuf.dev/programming-guides/encoding) of the request is tag {@code
 * 0x0A} (field 1, wire type 2), a varint length and the UTF-8 bytes; an empty service name is the
 * empty message, since proto3 omits default values. The response is decoded field by field: wire
 * types 0, 1, 2 and 5 are skipped when they are not field 1, so a newer server's extra fields do no
 * harm; the last field 1 wins, as protobuf merges; no field 1 means UNKNOWN (the proto3 default).
 * Unknown status numbers are data ({@code "status 7"}), never errors. A response larger than {@link
 * #MAX_RESPONSE} (4 KiB, far above the handful of bytes a health answer needs) is refused so a
 * misbehaving peer cannot make a probe buffer without bound.
 *
 * <p>Thread-safety: stateless.
 */
final class GrpcHealthMessages {

  static final String PATH = "/grpc.health.v1.Health/Check";
  static final int MAX_RESPONSE = 4096;
  static final int SERVING = 1;

  private static final String[] STATUS_NAMES = {
    "UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"
  };
  private static final String[] CODE_NAMES = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED"
  };

  private GrpcHealthMessages() {}

  /** A length-prefixed {@code HealthCheckRequest} for {@code service}. */
  static byte[] request(String service) {
    byte[] name = service.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream message = new ByteArrayOutputStream(name.length + 6);
    if (name.length > 0) {
      message.write(0x0A);
      writeVarint(message, name.length);
      message.writeBytes(name);
    }
    return frame(message.toByteArray());
  }

  /** Wraps a serialized message in a gRPC frame (uncompressed). */
  static byte[] frame(byte[] message) {
    byte[] framed = new byte[5 + message.length];
    int n = message.length;
    framed[1] = (byte) (n >>> 24);
    framed[2] = (byte) (n >>> 16);
    framed[3] = (byte) (n >>> 8);
    framed[4] = (byte) n;
    System.arraycopy(message, 0, framed, 5, n);
    return framed;
  }

  /**
   * The {@code status} of the first length-prefixed {@code HealthCheckResponse} in {@code body}.
   *
   * @throws IllegalArgumentException naming what is malformed
   */
  static int responseStatus(byte[] body, int length) {
    if (length < 5) {
      throw new IllegalArgumentException("truncated gRPC message");
    }
    if (body[0] != 0) {
      throw new IllegalArgumentException("compressed gRPC message");
    }
    long size =
        ((body[1] & 0xFFL) << 24)
            | ((body[2] & 0xFF) << 16)
            | ((body[3] & 0xFF) << 8)
            | (body[4] & 0xFF);
    if (size > length - 5) {
      throw new IllegalArgumentException("truncated gRPC message");
    }
    return decodeStatus(body, 5, 5 + (int) size);
  }

  /** Field 1 (varint) of a protobuf message in {@code bytes[from, to)}; 0 when absent. */
  static int decodeStatus(byte[] bytes, int from, int to) {
    int[] at = {from};
    int status = 0;
    while (at[0] < to) {
      long tag = readVarint(bytes, at, to);
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      switch (wireType) {
        case 0 -> {
          long value = readVarint(bytes, at, to);
          if (field == 1) {
            status = (int) value;
          }
        }
        case 1 -> skip(at, 8, to);
        case 2 -> skip(at, readVarint(bytes, at, to), to);
        case 5 -> skip(at, 4, to);
        default -> throw new IllegalArgumentException("unsupported protobuf wire type " + wireType);
      }
    }
    return status;
  }

  static String statusName(int status) {
    return status >= 0 && status < STATUS_NAMES.length ? STATUS_NAMES[status] : "status " + status;
  }

  /** The name of a {@code grpc-status} code: {@code NOT_FOUND}, {@code UNIMPLEMENTED}... */
  static String codeName(int code) {
    return code >= 0 && code < CODE_NAMES.length ? CODE_NAMES[code] : "code " + code;
  }

  /** Decodes {@code grpc-message}, which is percent-encoded UTF-8 (PROTOCOL-HTTP2.md). */
  static String decodeMessage(CharSequence encoded) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%' && i + 2 < encoded.length()) {
        int hi = Character.digit(encoded.charAt(i + 1), 16);
        int lo = Character.digit(encoded.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.write(hi << 4 | lo);
          i += 2;
          continue;
        }
      }
      out.write(c);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void writeVarint(ByteArrayOutputStream out, int value) {
    while ((value & ~0x7F) != 0) {
      out.write((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  private static long readVarint(byte[] bytes, int[] at, int to) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at[0] >= to) {
        throw new IllegalArgumentException("truncated protobuf varint");
      }
      byte b = bytes[at[0]++];
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("protobuf varint longer than 10 bytes");
  }

  private static void skip(int[] at, long n, int to) {
    if (n < 0 || n > to - at[0]) {
      throw new IllegalArgumentException("truncated protobuf field");
    }
    at[0] += (int) n;
  }
}
