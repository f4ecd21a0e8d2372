package io.meridian.registry.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalRecordTest {

  private static final KeyValue OLD =
      new KeyValue("svc/ä", "old".getBytes(StandardCharsets.UTF_8), 3, 4, 2, 7);
  private static final KeyValue NEW =
      new KeyValue("svc/ä", "new".getBytes(StandardCharsets.UTF_8), 3, 9, 3, 0);
  private static final KeyValue TOMB = new KeyValue("gone", new byte[0], 0, 9, 0, 0);
  private static final KeyValue GONE = new KeyValue("gone", new byte[] {1}, 2, 2, 1, 0);

  private static WalRecord roundTrip(WalRecord r) {
    RecordBuffer buf = new RecordBuffer(16);
    r.encode(buf);
    return WalRecord.decode(buf.asByteBuffer());
  }

  @Test
  void everyRecordTypeRoundTrips() {
    List<WalRecord> records =
        List.of(
            new WalRecord.Change(
                5,
                9,
                List.of(
                    new Event(Event.Type.PUT, NEW, OLD), new Event(Event.Type.DELETE, TOMB, GONE))),
            new WalRecord.Grant(6, 77, 5_000_000_000L),
            new WalRecord.Revoke(7, 77, 9, List.of(new Event(Event.Type.DELETE, TOMB, GONE))),
            new WalRecord.Revoke(8, 78, 0, List.of()),
            new WalRecord.Compact(9, 4));
    for (WalRecord r : records) {
      assertThat(roundTrip(r)).isEqualTo(r);
    }
  }

  @Test
  void malformedPayloadsAreRejected() {
    RecordBuffer buf = new RecordBuffer(16);
    new WalRecord.Change(5, 9, List.of(new Event(Event.Type.PUT, NEW, OLD))).encode(buf);
    byte[] good = Arrays.copyOf(buf.array(), buf.size());

    for (int cut = 0; cut < good.length; cut++) {
      byte[] shorter = Arrays.copyOf(good, cut);
      assertThatThrownBy(() -> WalRecord.decode(ByteBuffer.wrap(shorter)))
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> WalRecord.decode(ByteBuffer.wrap(longer)))
        .hasMessageContaining("trailing");
    byte[] badType = good.clone();
    badType[0] = 42;
    assertThatThrownBy(() -> WalRecord.decode(ByteBuffer.wrap(badType)))
        .hasMessageContaining("unknown record type");
  }

  @Test
  void anEventAtAnotherRevisionThanItsRecordIsRejected() {
    RecordBuffer buf = new RecordBuffer(16);
    new WalRecord.Change(5, 10, List.of(new Event(Event.Type.PUT, NEW, OLD))).encode(buf);
    assertThatThrownBy(() -> WalRecord.decode(buf.asByteBuffer()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void segmentNamesAreSixteenHexDigitsOfTheFirstIndex() {
    assertThat(Segment.fileName(0x1a)).isEqualTo("000000000000001a.wal");
    assertThat(Segment.parseFirstIndex("000000000000001a.wal")).isEqualTo(0x1a);
    assertThat(Segment.parseFirstIndex("1a.wal")).isEqualTo(-1);
    assertThat(Segment.parseFirstIndex("zzzzzzzzzzzzzzzz.wal")).isEqualTo(-1);
  }
}
