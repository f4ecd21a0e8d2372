package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  void columnsAreLeftAlignedAndSeparatedByThreeSpaces() {
    Table t = new Table(List.of("NAME", "TYPE", "AGE"));
    t.add(List.of("web", "ClusterIP", "5s"));
    t.add(List.of("checkout-api", "NodePort", "3d4h"));

    assertThat(t.render())
        .isEqualTo(
            """
            NAME           TYPE        AGE
            web            ClusterIP   5s
            checkout-api   NodePort    3d4h
            """);
  }

  @Test
  void linesCarryNoTrailingBlanks() {
    Table t = new Table(List.of("NAME", "NOTE"));
    t.add(List.of("a-very-long-name", ""));

    assertThat(t.render()).isEqualTo("NAME               NOTE\na-very-long-name\n");
  }

  @Test
  void anEmptyTableIsItsHeader() {
    assertThat(new Table(List.of("NAME", "AGE")).render()).isEqualTo("NAME   AGE\n");
  }

  @Test
  void aRowOfTheWrongWidthIsRefused() {
    Table t = new Table(List.of("NAME", "AGE"));
    assertThatThrownBy(() -> t.add(List.of("web"))).isInstanceOf(IllegalArgumentException.class);
  }
}
