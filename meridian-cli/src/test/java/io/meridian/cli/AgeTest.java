package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgeTest {

  @Test
  void secondsUpToTwoMinutes() {
    assertThat(Age.format(Duration.ofSeconds(0))).isEqualTo("0s");
    assertThat(Age.format(Duration.ofSeconds(119))).isEqualTo("119s");
  }

  @Test
  void minutesAndSecondsUpToTenMinutes() {
    assertThat(Age.format(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(Age.format(Duration.ofSeconds(5 * 60 + 30))).isEqualTo("5m30s");
  }

  @Test
  void minutesUpToThreeHoursThenHoursAndMinutes() {
    assertThat(Age.format(Duration.ofMinutes(179))).isEqualTo("179m");
    assertThat(Age.format(Duration.ofMinutes(3 * 60 + 20))).isEqualTo("3h20m");
    assertThat(Age.format(Duration.ofHours(30))).isEqualTo("30h");
  }

  @Test
  void daysThenYears() {
    assertThat(Age.format(Duration.ofHours(3 * 24 + 4))).isEqualTo("3d4h");
    assertThat(Age.format(Duration.ofDays(200))).isEqualTo("200d");
    assertThat(Age.format(Duration.ofDays(2 * 365 + 15))).isEqualTo("2y15d");
    assertThat(Age.format(Duration.ofDays(9 * 365))).isEqualTo("9y");
  }

  @Test
  void aTimestampInTheFutureByMoreThanASecondIsInvalid() {
    assertThat(Age.format(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
  }

  @Test
  void sinceReadsRfc3339AndToleratesItsAbsence() {
    Instant now = Instant.parse("2026-11-26T12:00:00Z");
    assertThat(Age.since("2026-11-26T11:59:15Z", now)).isEqualTo("45s");
    assertThat(Age.since(null, now)).isEqualTo("<unknown>");
    assertThat(Age.since("yesterday", now)).isEqualTo("<unknown>");
  }
}
