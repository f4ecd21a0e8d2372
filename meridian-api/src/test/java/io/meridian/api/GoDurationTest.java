package io.meridian.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

  @Property(tries = 500)
  void formattingThenParsingGivesTheSameDurationToTheNanosecond(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long nanos) {
    Duration d = Duration.ofNanos(nanos);
    assertThat(GoDuration.parse(GoDuration.format(d)).duration()).isEqualTo(d);
  }

  @Property(tries = 300)
  void wholeMillisecondDurationsRoundTripThroughTheirText(
      @ForAll @LongRange(min = 0, max = 10_000_000_000L) long millis) {
    GoDuration d = GoDuration.of(Duration.ofMillis(millis));
    assertThat(GoDuration.parse(d.toString())).isEqualTo(d);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "10s, 10s",
    "1m30s, 1m30s",
    "90s, 1m30s",
    "500ms, 500ms",
    "0.5s, 500ms",
    "1.5h, 1h30m",
    "2h45m, 2h45m",
    "100ns, 100ns",
    "3us, 3us",
    "3µs, 3us",
    "16.973s, 16.973s",
    "1h0.000000001s, 1h0.000000001s",
  })
  void parsesGoDurationsAndFormatsTheShortestExactForm(String text, String formatted) {
    assertThat(GoDuration.parse(text).toString()).isEqualTo(formatted);
  }

  @Test
  void parsesFractionsExactly() {
    assertThat(GoDuration.parse("16.973s").duration().toNanos()).isEqualTo(16_973_000_000L);
    assertThat(GoDuration.parse("1m33.285s").duration().toNanos()).isEqualTo(93_285_000_000L);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"10 s", "-1s", "ten", "1x", "1", "s", ".5s", "5.s", "1e3s", "+1s", " 1s", "1s "})
  void rejectsTextThatIsNotADurationNamingIt(String text) {
    assertThatThrownBy(() -> GoDuration.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"")
        .hasMessageContaining("is not a duration");
  }

  @Test
  void rejectsEmptyTextAndDurationsBeyondTheNanosecondRange() {
    assertThatThrownBy(() -> GoDuration.parse("")).hasMessageStartingWith("must be a duration");
    assertThatThrownBy(() -> GoDuration.parse("2562048h")).hasMessageContaining("too long");
    assertThatThrownBy(() -> GoDuration.of(Duration.ofSeconds(-1)))
        .hasMessageContaining("negative");
  }
}
