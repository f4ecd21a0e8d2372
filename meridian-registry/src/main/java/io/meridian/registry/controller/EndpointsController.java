package io.meridian.registry.controller;

import io.meridian.api.Conditions;
import io.meridian.api.Endpoints;
import io.meridian.api.Instance;
import io.meridian.api.IntOrString;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.registry.resource.Keys;
import io.meridian.registry.resource.StoredResources;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.Store;
import io.meridian.registry.store.Txn;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Derives each selector service's {@link Endpoints} from the instances its selector matches, as
 * Kubernetes' EndpointSlice controller does.
 *
 * <p>Level-triggered: it keeps an index of services and instances per namespace (fed by one {@link
 * Informer} over the whole registry prefix), marks the services a change can affect as dirty (the
 * service itself; for an instance, every service in its namespace whose selector matched its old or
 * matches its new labels), and, after a short coalescing delay, writes the endpoints of each dirty
 * service whose derived value differs from the stored one. A burst of 1,000 registrations for one
 * service therefore costs a handful of writes, not 1,000. Endpoints written by someone else for a
 * selector service are put back.
 *
 * <p>Thread-safety: all state is confined to the single-threaded {@code executor}.
 */
public final class EndpointsController implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EndpointsController.class);
  private static final long COALESCE_MILLIS = 5;

  private final Store store;
  private final StoredResources codec;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Informer informer;

  // all confined to executor
  private final Map<String, Map<String, Service>> services = new HashMap<>();
  private final Map<String, Map<String, Instance>> instances = new HashMap<>();
  private final Map<String, byte[]> storedEndpoints = new HashMap<>();
  private final Map<String, String> created = new HashMap<>(); // endpoints key -> creationTimestamp
  private final Set<String> dirty = new LinkedHashSet<>(); // "ns/name"
  private boolean flushScheduled;
  private boolean synced;

  /** {@code executor} must be single-threaded and is not shut down by close. */
  public EndpointsController(
      Store store, StoredResources codec, ScheduledExecutorService executor, Clock clock) {
    this.store = store;
    this.codec = codec;
    this.clock = clock;
    this.executor = executor;
    this.informer = new Informer(store, Keys.ROOT, executor, new Handler());
  }

  public void start() {
    informer.start();
  }

  @Override
  public void close() {
    informer.close();
  }

  private final class Handler implements Informer.Handler {
    @Override
    public void onSync(List<KeyValue> all, long revision) {
      services.clear();
      instances.clear();
      storedEndpoints.clear();
      created.clear();
      for (KeyValue kv : all) {
        upsert(kv);
      }
      for (Map<String, Service> byName : services.values()) {
        for (Service s : byName.values()) {
          dirty.add(s.metadata().namespace() + "/" + s.metadata().name());
        }
      }
      synced = true;
      scheduleFlush();
    }

    @Override
    public void onEvents(List<Event> events) {
      for (Event e : events) {
        if (e.type() == Event.Type.PUT) {
          upsert(e.kv());
        } else {
          remove(e.prevKv() != null ? e.prevKv() : e.kv());
        }
      }
      scheduleFlush();
    }
  }

  private void upsert(KeyValue kv) {
    Kind kind = Keys.kindOf(kv.key());
    if (kind == Kind.SERVICE) {
      Service s = (Service) codec.decode(kv);
      services
          .computeIfAbsent(s.metadata().namespace(), k -> new HashMap<>())
          .put(s.metadata().name(), s);
      dirty.add(s.metadata().namespace() + "/" + s.metadata().name());
    } else if (kind == Kind.INSTANCE) {
      Instance i = (Instance) codec.decode(kv);
      Instance old =
          instances
              .computeIfAbsent(i.metadata().namespace(), k -> new HashMap<>())
              .put(i.metadata().name(), i);
      markSelecting(old);
      markSelecting(i);
    } else if (kind == Kind.ENDPOINTS) {
      byte[] previous = storedEndpoints.put(kv.key(), kv.value());
      created.put(kv.key(), codec.decode(kv).metadata().creationTimestamp());
      String rest = kv.key().substring(Keys.prefix(Kind.ENDPOINTS, null).length());
      if (synced && (previous == null || !Arrays.equals(previous, kv.value()))) {
        dirty.add(rest); // someone else wrote it: derive again (and put ours back if needed)
      }
    }
  }

  private void remove(KeyValue kv) {
    Kind kind = Keys.kindOf(kv.key());
    String rest = kind == null ? null : kv.key().substring(Keys.prefix(kind, null).length());
    if (kind == Kind.SERVICE) {
      int slash = rest.indexOf('/');
      Map<String, Service> byName = services.get(rest.substring(0, slash));
      if (byName != null) {
        byName.remove(rest.substring(slash + 1));
      }
      dirty.add(rest);
    } else if (kind == Kind.INSTANCE) {
      int slash = rest.indexOf('/');
      Map<String, Instance> byName = instances.get(rest.substring(0, slash));
      if (byName != null) {
        markSelecting(byName.remove(rest.substring(slash + 1)));
      }
    } else if (kind == Kind.ENDPOINTS) {
      storedEndpoints.remove(kv.key());
      created.remove(kv.key());
      dirty.add(rest);
    }
  }

  private void markSelecting(Instance i) {
    if (i == null) {
      return;
    }
    Map<String, Service> byName = services.get(i.metadata().namespace());
    if (byName == null) {
      return;
    }
    for (Service s : byName.values()) {
      if (selects(s, i)) {
        dirty.add(s.metadata().namespace() + "/" + s.metadata().name());
      }
    }
  }

  private static boolean selects(Service s, Instance i) {
    if (!s.spec().hasSelector()) {
      return false;
    }
    Map<String, String> labels = i.metadata().labels();
    for (Map.Entry<String, String> e : s.spec().selector().entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private void scheduleFlush() {
    if (!synced || flushScheduled || dirty.isEmpty()) {
      return;
    }
    flushScheduled = true;
    executor.schedule(this::flush, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void flush() {
    flushScheduled = false;
    List<String> todo = new ArrayList<>(dirty);
    dirty.clear();
    for (String nsName : todo) {
      int slash = nsName.indexOf('/');
      String ns = nsName.substring(0, slash);
      String name = nsName.substring(slash + 1);
      Service s = services.getOrDefault(ns, Map.of()).get(name);
      String key = Keys.key(Kind.ENDPOINTS, ns, name);
      byte[] stored = storedEndpoints.get(key);
      if (s == null) {
        if (stored != null) {
          write(Op.delete(key));
        }
        continue;
      }
      if (!s.spec().hasSelector()) {
        continue; // manual endpoints: the user's to write
      }
      byte[] derived = codec.encode(derive(s));
      if (stored == null || !Arrays.equals(stored, derived)) {
        storedEndpoints.put(key, derived);
        write(Op.put(key, derived));
      }
    }
  }

  private void write(Op op) {
    store
        .txn(Txn.unconditional(op))
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                log.warn("could not write {}: {}", op.key(), e.toString());
                executor.execute(
                    () -> {
                      storedEndpoints.remove(op.key());
                      String rest = op.key().substring(Keys.prefix(Kind.ENDPOINTS, null).length());
                      dirty.add(rest);
                      if (!flushScheduled) {
                        flushScheduled = true;
                        executor.schedule(this::flush, 1, TimeUnit.SECONDS);
                      }
                    });
              }
            });
  }

  /** The endpoints {@code service} has right now (pure given the index). */
  Endpoints derive(Service service) {
    String ns = service.metadata().namespace();
    List<Instance> selected = new ArrayList<>();
    for (Instance i : instances.getOrDefault(ns, Map.of()).values()) {
      if (selects(service, i)) {
        selected.add(i);
      }
    }
    selected.sort(Comparator.comparing(i -> i.metadata().name()));
    List<Endpoints.Endpoint> eps = new ArrayList<>(selected.size());
    for (Instance i : selected) {
      eps.add(endpointOf(service, i));
    }
    String key = Keys.key(Kind.ENDPOINTS, ns, service.metadata().name());
    String since =
        created.computeIfAbsent(
            key,
            k ->
                DateTimeFormatter.ISO_INSTANT.format(
                    clock.instant().truncatedTo(ChronoUnit.SECONDS)));
    ObjectMeta meta =
        ObjectMeta.of(ns, service.metadata().name()).withSystemFields(null, since, null);
    return new Endpoints(meta, eps);
  }

  static Endpoints.Endpoint endpointOf(Service service, Instance i) {
    List<Endpoints.EndpointPort> ports = new ArrayList<>();
    for (ServicePort p : service.spec().ports()) {
      IntOrString target = p.effectiveTargetPort();
      Integer number = target.isNumber() ? target.number() : i.spec().ports().get(target.name());
      if (number != null) {
        ports.add(
            new Endpoints.EndpointPort(p.name(), number, p.effectiveProtocol(), p.appProtocol()));
      }
    }
    Conditions c = i.conditions();
    if (i.metadata().deletionTimestamp() != null && !c.terminating()) {
      c = c.terminate();
    }
    return new Endpoints.Endpoint(
        i.metadata().name(),
        i.spec().address(),
        ports,
        c,
        i.spec().node(),
        i.spec().zone(),
        i.spec().hostname(),
        i.spec().weight());
  }
}
