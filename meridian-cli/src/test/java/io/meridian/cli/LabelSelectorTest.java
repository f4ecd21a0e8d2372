package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {

  private static final Map<String, String> WEB = Map.of("app", "web", "tier", "frontend");

  @Test
  void equalityRequirementsMustAllHold() {
    assertThat(LabelSelector.parse("app=web").matches(WEB)).isTrue();
    assertThat(LabelSelector.parse("app==web,tier=frontend").matches(WEB)).isTrue();
    assertThat(LabelSelector.parse("app=web,tier=backend").matches(WEB)).isFalse();
  }

  @Test
  void inequalityExistenceAndAbsence() {
    assertThat(LabelSelector.parse("tier!=db").matches(WEB)).isTrue();
    assertThat(LabelSelector.parse("tier").matches(WEB)).isTrue();
    assertThat(LabelSelector.parse("!legacy").matches(WEB)).isTrue();
    assertThat(LabelSelector.parse("!app").matches(WEB)).isFalse();
  }

  @Test
  void printsAsWritten() {
    assertThat(LabelSelector.parse("app=web, tier!=db,env,!legacy"))
        .hasToString("app=web,tier!=db,env,!legacy");
  }

  @Test
  void nonsenseIsRefusedNamingThePart() {
    assertThatThrownBy(() -> LabelSelector.parse("app=web,=x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'=x'");
    assertThatThrownBy(() -> LabelSelector.parse("app in (a,b)"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
