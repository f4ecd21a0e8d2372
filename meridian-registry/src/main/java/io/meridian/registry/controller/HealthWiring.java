package io.meridian.registry.controller;

import io.meridian.api.Instance;
import io.meridian.api.Kind;
import io.meridian.registry.health.HealthController;
import io.meridian.registry.health.Probers;
import io.meridian.registry.resource.Keys;
import io.meridian.registry.resource.Resources;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Connects the stored instances to the {@link HealthController}: every instance change is handed to
 * it, and its judgements are written back as {@code status.conditions} through {@link
 * Resources#setConditions}. Probes run on one event loop of their own, so a slow target never
 * delays the API.
 *
 * <p>Thread-safety: informer callbacks are serial on the controllers' executor; the controller is
 * thread-safe.
 */
public final class HealthWiring implements AutoCloseable {

  private final EventLoopGroup probes;
  private final HealthController controller;
  private final Informer informer;
  private final Set<String> known = new HashSet<>(); // "ns/name", confined to executor

  public HealthWiring(Resources resources, ScheduledExecutorService executor, Clock clock) {
    this.probes =
        new MultiThreadIoEventLoopGroup(
            1, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.controller =
        new HealthController(
            Probers.create(probes), resources::setConditions, executor, clock, new Random());
    this.informer =
        new Informer(
            resources.store(),
            Keys.prefix(Kind.INSTANCE, null),
            executor,
            new Informer.Handler() {
              @Override
              public void onSync(List<KeyValue> all, long revision) {
                Set<String> now = new HashSet<>();
                for (KeyValue kv : all) {
                  Instance i = (Instance) resources.codec().decode(kv);
                  now.add(i.metadata().namespace() + "/" + i.metadata().name());
                  controller.upsert(i);
                }
                for (String gone : known) {
                  if (!now.contains(gone)) {
                    int slash = gone.indexOf('/');
                    controller.remove(gone.substring(0, slash), gone.substring(slash + 1));
                  }
                }
                known.clear();
                known.addAll(now);
              }

              @Override
              public void onEvents(List<Event> events) {
                for (Event e : events) {
                  KeyValue kv = e.type() == Event.Type.PUT ? e.kv() : e.prevKv();
                  if (kv == null) {
                    continue;
                  }
                  Instance i = (Instance) resources.codec().decode(kv);
                  String ns = i.metadata().namespace();
                  String name = i.metadata().name();
                  if (e.type() == Event.Type.PUT) {
                    known.add(ns + "/" + name);
                    controller.upsert(i);
                  } else {
                    known.remove(ns + "/" + name);
                    controller.remove(ns, name);
                  }
                }
              }
            });
  }

  public void start() {
    controller.start();
    informer.start();
  }

  @Override
  public void close() {
    informer.close();
    controller.close();
    probes.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
