package io.meridian.api;

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
  void setBasedRequirements() {
    assertThat(LabelSelector.parse("tier in (frontend, backend)").matches(WEB)).isTrue();
    assertThat(LabelSelector.parse("tier notin (frontend)").matches(WEB)).isFalse();
    assertThat(LabelSelector.parse("env notin (prod)").matches(WEB)).isTrue();
    assertThat(LabelSelector.parse("env in (prod)").matches(WEB)).isFalse();
  }

  @Test
  void blankSelectsEverything() {
    assertThat(LabelSelector.parse(" ").isEverything()).isTrue();
    assertThat(LabelSelector.parse(null).matches(null)).isTrue();
  }

  @Test
  void printsCanonically() {
    assertThat(LabelSelector.parse("app=web, tier!=db,env,!legacy, z in (b,a)"))
        .hasToString("app=web,tier!=db,env,!legacy,z in (a,b)");
  }

  @Test
  void nonsenseIsRefusedNamingThePart() {
    assertThatThrownBy(() -> LabelSelector.parse("app=web,=x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'=x'");
    assertThatThrownBy(() -> LabelSelector.parse("a in (b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a in (b'");
    assertThatThrownBy(() -> LabelSelector.parse("app=we b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label value");
  }
}
