package io.meridian.balancer.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policies;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.testing.Fleet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProvidersTest {

  private static final List<String> SIX =
      List.of(
          "least_request", "maglev", "random", "ring_hash", "round_robin", "weighted_round_robin");

  private static void refused(String policy, Map<String, ?> config, String message) {
    assertThatThrownBy(() -> Policies.create(policy, config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void exactlyTheSixPoliciesAreKnownByName() {
    assertThat(Policies.names()).containsExactlyElementsOf(SIX);
  }

  @Test
  void everyNameCreatesItsPolicyWithDefaults() {
    for (String name : SIX) {
      Policy policy = Policies.create(name);
      assertThat(policy.name()).isEqualTo(name);
      Picker<String> picker = policy.picker(Fleet.of(3), RandomSource.threadLocal());
      assertThat(picker.size()).isEqualTo(3);
      assertThat(picker.toString()).startsWith(name + "{size=3");
      assertThat(picker.pick()).isNotNull();
      assertThat(picker.pick(42)).isNotNull();
      assertThat(policy.picker(Fleet.of(1), RandomSource.threadLocal()))
          .hasToString(name + "{size=1}");
      assertThat(policy.picker(List.<Backend<String>>of(), RandomSource.threadLocal()))
          .isSameAs(Picker.empty());
      List<Backend<String>> withNull = new ArrayList<>(Fleet.of(2));
      withNull.add(null);
      assertThatThrownBy(() -> policy.picker(withNull, RandomSource.threadLocal()))
          .isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void anUnknownPolicyIsRefusedListingTheKnownOnes() {
    assertThatThrownBy(() -> Policies.create("fastest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown load-balancing policy \"fastest\"; known: " + String.join(", ", SIX));
  }

  @Test
  void unknownKeysAreRefusedNamingThem() {
    refused(
        "round_robin",
        Map.of("weights", 1),
        "unknown key(s) [\"weights\"] for policy round_robin; it takes no configuration");
    refused(
        "random",
        Map.of("seed", 1, "bias", 2),
        "unknown key(s) [\"bias\", \"seed\"] for policy random; it takes no configuration");
    refused(
        "weighted_round_robin",
        Map.of("cycle", 7),
        "unknown key(s) [\"cycle\"] for policy weighted_round_robin; it takes no configuration");
    refused(
        "least_request",
        Map.of("choice_count", 3),
        "unknown key \"choice_count\" for policy least_request; known: activeRequestBias,"
            + " choiceCount");
    refused(
        "ring_hash",
        Map.of("minRingSize", 2048, "ringSize", 1),
        "unknown key \"ringSize\" for policy ring_hash; known: maxRingSize, minRingSize");
    refused(
        "maglev",
        Map.of("table_size", 7),
        "unknown key \"table_size\" for policy maglev; known: tableSize");
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    refused("maglev", Map.of("tableSize", 65_536), "tableSize must be a prime, got 65536");
    refused(
        "maglev",
        Map.of("tableSize", 5_000_021),
        "tableSize must be a prime up to 5000011, got 5000021");
    refused("maglev", Map.of("tableSize", "big"), "tableSize must be an integer, got \"big\"");
    refused("maglev", Map.of("tableSize", 13.5), "tableSize must be an integer, got 13.5");
    refused("maglev", Map.of("tableSize", true), "tableSize must be an integer, got true");
    refused("ring_hash", Map.of("minRingSize", 0), "minRingSize must be 1..8388608, got 0");
    refused(
        "ring_hash",
        Map.of("minRingSize", 4096, "maxRingSize", 1024),
        "maxRingSize must be minRingSize (4096)..8388608, got 1024");
    refused(
        "ring_hash",
        Map.of("maxRingSize", 16_777_216),
        "maxRingSize must be minRingSize (1024)..8388608, got 16777216");
    refused("least_request", Map.of("choiceCount", 1), "choiceCount must be 2..10, got 1");
    refused("least_request", Map.of("choiceCount", 11), "choiceCount must be 2..10, got 11");
    refused(
        "least_request",
        Map.of("activeRequestBias", -0.5),
        "activeRequestBias must be a finite number >= 0, got -0.5");
    refused(
        "least_request",
        Map.of("activeRequestBias", "NaN"),
        "activeRequestBias must be a finite number >= 0, got NaN");
    refused(
        "least_request",
        Map.of("activeRequestBias", "high"),
        "activeRequestBias must be a number, got \"high\"");
  }

  @Test
  void numbersMayComeAsAnyNumericTypeOrAsStrings() {
    for (Object size : List.of(13, 13L, 13.0, "13", " 13 ")) {
      assertThat(
              Policies.create("maglev", Map.of("tableSize", size))
                  .picker(Fleet.of(3), RandomSource.threadLocal()))
          .hasToString("maglev{size=3, tableSize=13}");
    }
  }

  @Test
  void configuredValuesReachThePicker() {
    assertThat(
            Policies.create("least_request", Map.of("choiceCount", "3", "activeRequestBias", 0.5f))
                .picker(Fleet.weighted(1, 2), RandomSource.threadLocal()))
        .hasToString("least_request{size=2, choiceCount=3, activeRequestBias=0.5}");
    assertThat(
            Policies.create("ring_hash", Map.of("minRingSize", 64))
                .picker(Fleet.of(3), RandomSource.threadLocal()))
        .hasToString("ring_hash{size=3, ring=96}");
  }
}
