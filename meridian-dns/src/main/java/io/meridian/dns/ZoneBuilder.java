package io.meridian.dns;

import io.meridian.api.Endpoints;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.client.ClusterSnapshot;
import io.meridian.client.ServiceEntry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a registry snapshot into a {@link Zone}, with the names of the Kubernetes DNS specification
 * (cluster-domain, schema 1.1.0), under {@code <domain>} ({@code cluster.local}):
 *
 * <ul>
 *   <li>{@code <svc>.<ns>.svc.<domain>}: A/AAAA of the ClusterIP(s); for a headless service, of
 *       every ready endpoint (every endpoint with {@code publishNotReadyAddresses}); CNAME of
 *       {@code externalName} for an ExternalName service;
 *   <li>{@code <hostname>.<svc>.<ns>.svc.<domain>}: A/AAAA of a headless service's endpoint, by its
 *       hostname or, without one, its address with dashes ({@code 10-0-0-7});
 *   <li>{@code _<port>._<proto>.<svc>.<ns>.svc.<domain>}: SRV for each named port, pointing at the
 *       service name (ClusterIP) or at each endpoint's name (headless), with the endpoint's port;
 *   <li>{@code <reversed-ip>.in-addr.arpa} / {@code ip6.arpa}: PTR for ClusterIPs and headless
 *       endpoints;
 *   <li>{@code <domain>} itself holds the SOA; every name between it and a record is an empty
 *       non-terminal, so it is NODATA rather than NXDOMAIN.
 * </ul>
 *
 * An object whose name cannot be a DNS name (over 63 bytes a label, 255 a name) is left out and
 * logged; nothing a user writes can stop the zone from building.
 *
 * <p>Thread-safety: not thread-safe; one builder builds one zone.
 */
final class ZoneBuilder {

  private static final Logger log = LoggerFactory.getLogger(ZoneBuilder.class);

  private final byte[] apex;
  private final byte[] svcSuffix;
  private final int ttl;
  private final Map<Zone.Key, Node> names = new HashMap<>();

  private ZoneBuilder(String domain, int ttl) {
    this.apex = Names.wire(domain);
    this.svcSuffix = Names.prepend("svc", apex);
    this.ttl = ttl;
  }

  /** The zone for {@code snapshot} (null: an empty zone, before the first snapshot). */
  static Zone build(ClusterSnapshot snapshot, String domain, int ttl) {
    ZoneBuilder b = new ZoneBuilder(domain, ttl);
    b.node(b.apex).apex = true;
    b.node(b.svcSuffix);
    long serial = 0;
    if (snapshot != null) {
      serial = snapshot.revision();
      for (ServiceEntry e : snapshot.services().values()) {
        try {
          b.add(e);
        } catch (IllegalArgumentException tooLong) {
          log.warn("service {} has no DNS name: {}", e.key(), tooLong.getMessage());
        }
      }
    }
    return b.freeze(serial);
  }

  private void add(ServiceEntry e) {
    Service svc = e.service();
    ServiceSpec spec = svc.spec();
    byte[] ns = Names.prepend(svc.metadata().namespace(), svcSuffix);
    byte[] base = Names.prepend(svc.metadata().name(), ns);
    node(ns);
    Node n = node(base);
    if (spec.effectiveType() == ServiceType.ExternalName) {
      if (spec.externalName() != null && !spec.externalName().isBlank()) {
        n.cname.put(new Zone.Key(Names.wire(spec.externalName())), 1);
      }
      return;
    }
    if (spec.headless()) {
      addHeadless(e, spec, base);
      return;
    }
    List<String> ips =
        !spec.clusterIPs().isEmpty()
            ? spec.clusterIPs()
            : spec.clusterIP() == null ? List.of() : List.of(spec.clusterIP());
    for (String ip : ips) {
      InetAddress a = literal(ip);
      if (a != null) {
        addAddress(n, a, 1);
        node(Names.wire(Names.reverse(a))).ptr.put(new Zone.Key(base), 1);
      }
    }
    for (ServicePort p : spec.ports()) {
      if (p.name() != null && !p.name().isEmpty() && p.port() != null) {
        srvNode(p, base).srv.put(new Zone.Key(srv(0, 100, p.port(), base)), 100);
      }
    }
  }

  private void addHeadless(ServiceEntry e, ServiceSpec spec, byte[] base) {
    boolean all = Boolean.TRUE.equals(spec.publishNotReadyAddresses());
    Node n = node(base);
    for (Endpoints.Endpoint ep : e.endpointList()) {
      if (!all && !ep.conditions().ready()) {
        continue;
      }
      InetAddress a = literal(ep.address());
      if (a == null) {
        continue;
      }
      int weight = ep.weight() == null ? 1 : Math.max(1, ep.weight());
      addAddress(n, a, weight);
      String label =
          ep.hostname() != null && !ep.hostname().isEmpty() ? ep.hostname() : Names.dashed(a);
      byte[] host = Names.prepend(label, base);
      addAddress(node(host), a, 1);
      node(Names.wire(Names.reverse(a))).ptr.put(new Zone.Key(host), 1);
      for (ServicePort p : spec.ports()) {
        if (p.name() == null || p.name().isEmpty()) {
          continue;
        }
        int port = ep.port(p.name());
        if (port > 0) {
          srvNode(p, base)
              .srv
              .put(new Zone.Key(srv(0, Math.min(weight, 65535), port, host)), weight);
        }
      }
    }
  }

  private Node srvNode(ServicePort p, byte[] base) {
    byte[] proto = Names.prepend("_" + p.effectiveProtocol().name().toLowerCase(Locale.ROOT), base);
    node(proto);
    return node(Names.prepend("_" + p.name(), proto));
  }

  private static void addAddress(Node n, InetAddress a, int weight) {
    (a instanceof Inet4Address ? n.a : n.aaaa)
        .merge(new Zone.Key(a.getAddress()), weight, Math::max);
  }

  /** SRV RDATA (RFC 2782): priority, weight, port, target (uncompressed, RFC 3597 §4). */
  private static byte[] srv(int priority, int weight, int port, byte[] target) {
    return ByteBuffer.allocate(6 + target.length)
        .putShort((short) priority)
        .putShort((short) weight)
        .putShort((short) port)
        .put(target)
        .array();
  }

  /** An IP literal, or null: never a DNS lookup. */
  private static InetAddress literal(String ip) {
    if (ip == null || ip.isEmpty() || !(ip.indexOf(':') >= 0 || ip.matches("[0-9.]+"))) {
      return null;
    }
    try {
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The node at {@code wire}, creating it and every missing ancestor down from the apex. */
  private Node node(byte[] wire) {
    Zone.Key k = new Zone.Key(wire);
    Node n = names.get(k);
    if (n == null) {
      n = new Node();
      names.put(k, n);
      if (Names.within(wire, wire.length, apex) && wire.length > apex.length) {
        node(Arrays.copyOfRange(wire, (wire[0] & 0xff) + 1, wire.length));
      }
    }
    return n;
  }

  private Zone freeze(long serial) {
    Map<Zone.Key, ZoneNode> frozen = new HashMap<>(names.size() * 2);
    for (Map.Entry<Zone.Key, Node> e : names.entrySet()) {
      Node n = e.getValue();
      frozen.put(
          e.getKey(),
          new ZoneNode(
              set(RrType.A, n.a),
              set(RrType.AAAA, n.aaaa),
              set(RrType.SRV, n.srv),
              set(RrType.PTR, n.ptr),
              set(RrType.CNAME, n.cname),
              n.apex));
    }
    byte[] mname = Names.prepend("ns", Names.prepend("dns", apex));
    byte[] rname = Names.prepend("hostmaster", apex);
    byte[] soa =
        ByteBuffer.allocate(mname.length + rname.length + 20)
            .put(mname)
            .put(rname)
            .putInt((int) serial)
            .putInt(7200)
            .putInt(1800)
            .putInt(86400)
            .putInt(ttl)
            .array();
    return Zone.of(apex, soa, ttl, frozen);
  }

  private static RecordSet set(int type, Map<Zone.Key, Integer> records) {
    if (records.isEmpty()) {
      return null;
    }
    List<byte[]> rdata = new ArrayList<>(records.size());
    int[] weights = new int[records.size()];
    int i = 0;
    for (Map.Entry<Zone.Key, Integer> r : records.entrySet()) {
      rdata.add(r.getKey().wire());
      weights[i++] = r.getValue();
    }
    return new RecordSet(type, rdata.toArray(byte[][]::new), weights);
  }

  /** A node under construction; record maps keep insertion order and drop duplicates. */
  private static final class Node {
    final Map<Zone.Key, Integer> a = new LinkedHashMap<>();
    final Map<Zone.Key, Integer> aaaa = new LinkedHashMap<>();
    final Map<Zone.Key, Integer> srv = new LinkedHashMap<>();
    final Map<Zone.Key, Integer> ptr = new LinkedHashMap<>();
    final Map<Zone.Key, Integer> cname = new LinkedHashMap<>();
    boolean apex;
  }
}
