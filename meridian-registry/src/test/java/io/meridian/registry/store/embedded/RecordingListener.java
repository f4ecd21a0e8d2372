package io.meridian.registry.store.embedded;

import io.meridian.registry.store.Event;
import io.meridian.registry.store.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a watch delivers; tests subclass it to misbehave. Thread-safe. */
class RecordingListener implements WatchListener {

  final List<List<Event>> calls = new CopyOnWriteArrayList<>();
  volatile Boolean closedCompacted;

  @Override
  public void onEvents(List<Event> events) {
    calls.add(List.copyOf(events));
  }

  @Override
  public void onClosed(boolean compacted) {
    closedCompacted = compacted;
  }

  List<Event> events() {
    List<Event> all = new ArrayList<>();
    calls.forEach(all::addAll);
    return all;
  }

  List<Long> revisions() {
    return events().stream().map(Event::revision).toList();
  }

  List<String> keys() {
    return events().stream().map(e -> e.type() + " " + e.kv().key()).toList();
  }
}
