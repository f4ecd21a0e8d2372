package io.meridian.registry.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.registry.store.CompactedException;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {

  private static Event put(String key, long rev) {
    return new Event(Event.Type.PUT, new KeyValue(key, new byte[0], rev, rev, 1, 0), null);
  }

  private static List<Event> revisions(long from, long to, int eventsEach) {
    List<Event> out = new ArrayList<>();
    for (long r = from; r <= to; r++) {
      for (int i = 0; i < eventsEach; i++) {
        out.add(put("k" + i, r));
      }
    }
    return out;
  }

  @Test
  void overflowDropsWholeRevisionsAndRaisesTheWatermarkToTheNewestDropped() {
    History h = new History(5);
    h.append(revisions(1, 4, 2), 4); // 8 events > 5: revisions 1 and 2 go

    assertThat(h.size()).isEqualTo(4);
    assertThat(h.compactedRevision()).isEqualTo(2);
    assertThat(h.read(1, 100).events()).extracting(Event::revision).containsExactly(3L, 3L, 4L, 4L);
  }

  @Test
  void theNewestRevisionIsKeptEvenIfItAloneExceedsTheLimit() {
    History h = new History(3);
    h.append(revisions(1, 1, 2), 1);
    h.append(revisions(2, 2, 10), 2);

    assertThat(h.size()).isEqualTo(10);
    assertThat(h.compactedRevision()).isEqualTo(1);
  }

  @Test
  void startCursorRefusesCompactedRevisions() throws Exception {
    History h = new History(100);
    h.append(revisions(1, 10, 1), 10);
    h.compact(4);

    assertThatThrownBy(() -> h.startCursor(4)).isInstanceOf(CompactedException.class);
    assertThat(h.startCursor(5)).isEqualTo(5);
    assertThat(h.startCursor(0)).isEqualTo(11);
    assertThat(h.startCursor(50)).isEqualTo(50); // the future is fine
  }

  @Test
  void readStopsAfterMaxEventsButOnlyAtARevisionBoundary() {
    History h = new History(100);
    h.append(revisions(1, 10, 3), 10);

    History.Slice s = h.read(2, 4);
    assertThat(s.events()).extracting(Event::revision).containsExactly(2L, 2L, 2L, 3L, 3L, 3L);
    assertThat(s.through()).isEqualTo(3);
    assertThat(s.revision()).isEqualTo(10);
    assertThat(h.read(11, 4).events()).isEmpty();
    assertThat(h.read(11, 4).through()).isEqualTo(10);
  }

  @Test
  void aHoleInTheEventsCompactsEverythingBeforeIt() {
    History h = new History(100);
    h.append(revisions(1, 3, 1), 3);
    h.append(revisions(7, 8, 1), 8);

    assertThat(h.compactedRevision()).isEqualTo(6);
    assertThat(h.read(1, 100).events()).extracting(Event::revision).containsExactly(7L, 8L);
  }

  @Test
  void advancingPastTheEventsCompactsThemAll() {
    History h = new History(100);
    h.append(revisions(1, 3, 1), 3);
    h.append(List.of(), 9);

    assertThat(h.compactedRevision()).isEqualTo(9);
    assertThat(h.size()).isZero();
  }

  @Test
  void theRingGrowsAndWrapsAround() {
    History h = new History(3000);
    for (long r = 1; r <= 10_000; r++) {
      h.append(List.of(put("k", r)), r);
    }
    assertThat(h.size()).isEqualTo(3000);
    assertThat(h.compactedRevision()).isEqualTo(7000);
    List<Event> all = h.read(7001, 10_000).events();
    assertThat(all).hasSize(3000);
    assertThat(all.getFirst().revision()).isEqualTo(7001);
    assertThat(all.getLast().revision()).isEqualTo(10_000);
  }
}
