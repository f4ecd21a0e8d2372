package io.meridian.dns;

/**
 * Everything the zone holds at one name. A node without record sets is an empty non-terminal
 * ({@code default.svc.cluster.local}): it exists, so a query for it is NODATA, not NXDOMAIN (RFC
 * 8020).
 *
 * <p>Thread-safety: immutable.
 */
final class ZoneNode {

  final RecordSet a;
  final RecordSet aaaa;
  final RecordSet srv;
  final RecordSet ptr;
  final RecordSet cname;
  final boolean apex;

  ZoneNode(
      RecordSet a, RecordSet aaaa, RecordSet srv, RecordSet ptr, RecordSet cname, boolean apex) {
    this.a = a;
    this.aaaa = aaaa;
    this.srv = srv;
    this.ptr = ptr;
    this.cname = cname;
    this.apex = apex;
  }

  /** The set of {@code type} here, or null. SOA is the zone's, answered by the responder. */
  RecordSet get(int type) {
    return switch (type) {
      case RrType.A -> a;
      case RrType.AAAA -> aaaa;
      case RrType.SRV -> srv;
      case RrType.PTR -> ptr;
      case RrType.CNAME -> cname;
      default -> null;
    };
  }
}
