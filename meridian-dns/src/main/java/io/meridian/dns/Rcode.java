package io.meridian.dns;

/** Response codes (RFC 1035 §4.1.1, RFC 6891 §9 for BADVERS, which needs the OPT record). */
final class Rcode {

  static final int NOERROR = 0;
  static final int FORMERR = 1;
  static final int SERVFAIL = 2;
  static final int NXDOMAIN = 3;
  static final int NOTIMP = 4;
  static final int REFUSED = 5;
  static final int BADVERS = 16;

  private Rcode() {}
}
