package io.meridian.dns;

/** The RR types and classes the server knows (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891). */
final class RrType {

  static final int A = 1;
  static final int NS = 2;
  static final int CNAME = 5;
  static final int SOA = 6;
  static final int PTR = 12;
  static final int AAAA = 28;
  static final int SRV = 33;
  static final int OPT = 41;
  static final int ANY = 255;

  static final int CLASS_IN = 1;
  static final int CLASS_ANY = 255;

  private RrType() {}
}
