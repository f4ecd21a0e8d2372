package io.meridian.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds service addresses as /32 (/128) addresses of a dummy interface the agent owns ({@code
 * meridian0}, as kube-proxy's IPVS mode uses {@code kube-ipvs0}), so the kernel delivers packets
 * for them locally and listeners can bind them; removes the interface, and with it every address,
 * on close. Where the kernel has no dummy interfaces (built without them, as in some micro-VMs),
 * the addresses go on {@code lo} instead and are removed one by one on close. Needs root
 * (CAP_NET_ADMIN) and the {@code ip} command (iproute2). Addresses that are already local
 * (loopback, or another interface's) are left alone.
 *
 * <p>Thread-safety: not thread-safe; {@link DataPlane} calls it under its lock.
 */
public final class DummyInterface implements AddressProvisioner {

  private static final Logger log = LoggerFactory.getLogger(DummyInterface.class);

  private final String name;
  private final Set<String> added = new LinkedHashSet<>();
  private boolean created;
  private String device; // where addresses go: the dummy interface, or lo; null before the first

  public DummyInterface(String name) {
    this.name = name;
  }

  /** Whether this process may add addresses: it runs as root. */
  public static boolean permitted() {
    return "root".equals(System.getProperty("user.name"));
  }

  @Override
  public void ensure(String address) {
    if (added.contains(address) || isLocal(address)) {
      return;
    }
    if (device == null) {
      run(List.of("ip", "link", "del", name), true); // a leftover of a killed agent
      try {
        run(List.of("ip", "link", "add", name, "type", "dummy"), false);
        run(List.of("ip", "link", "set", name, "up"), false);
        created = true;
        device = name;
      } catch (IllegalStateException e) {
        log.info("no dummy interface ({}); service addresses go on lo", e.getMessage());
        device = "lo";
      }
    }
    String prefix = address.indexOf(':') >= 0 ? "/128" : "/32";
    run(List.of("ip", "addr", "replace", address + prefix, "dev", device), false);
    added.add(address);
  }

  @Override
  public void release(String address) {
    if (added.remove(address)) {
      String prefix = address.indexOf(':') >= 0 ? "/128" : "/32";
      run(List.of("ip", "addr", "del", address + prefix, "dev", device), true);
    }
  }

  @Override
  public void close() {
    if (created) {
      run(List.of("ip", "link", "del", name), true);
    } else {
      for (String a : List.copyOf(added)) {
        release(a);
      }
    }
    created = false;
    added.clear();
    device = null;
  }

  /** Where the addresses went: the dummy interface's name, {@code lo}, or null before any. */
  public String device() {
    return device;
  }

  private static boolean isLocal(String address) {
    try {
      InetAddress a = InetAddress.getByName(address); // a literal: no lookup
      return a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(List<String> cmd, boolean quiet) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + ": timed out");
      }
      if (p.exitValue() != 0 && !quiet) {
        throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
      }
    } catch (IOException e) {
      if (!quiet) {
        throw new IllegalStateException(
            String.join(" ", cmd) + ": " + e.getMessage() + " (is iproute2 installed?)", e);
      }
      log.debug("{}: {}", cmd, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(String.join(" ", cmd) + ": interrupted", e);
    }
  }
}
