package io.meridian.client;

import static io.meridian.client.Fixtures.endpoints;
import static io.meridian.client.Fixtures.key;
import static io.meridian.client.Fixtures.node;
import static io.meridian.client.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotBuilderTest {

  private final SnapshotBuilder builder = new SnapshotBuilder();

  private ClusterSnapshot listEverything() {
    builder.relist(
        Kind.SERVICE, List.of(service("default", "web", 3), service("shop", "cart", 4)), 10);
    builder.relist(Kind.ENDPOINTS, List.of(endpoints("default", "web", 5, "10.0.0.1")), 11);
    builder.relist(Kind.NODE, List.of(node("n1", 6)), 12);
    return builder.build().orElseThrow();
  }

  @Test
  void buildsNothingUntilEveryKindWasListed() {
    builder.relist(Kind.SERVICE, List.of(service("default", "web", 3)), 10);
    builder.relist(Kind.ENDPOINTS, List.of(), 10);

    assertThat(builder.synced()).isFalse();
    assertThat(builder.build()).isEmpty();

    builder.relist(Kind.NODE, List.of(), 10);
    assertThat(builder.build()).isPresent();
  }

  @Test
  void firstSnapshotHoldsEverythingListedAndReportsEverythingChanged() {
    ClusterSnapshot s = listEverything();

    assertThat(s.sequence()).isEqualTo(1);
    assertThat(s.services()).containsOnlyKeys(key("default", "web"), key("shop", "cart"));
    assertThat(s.changed()).containsExactlyInAnyOrder(key("default", "web"), key("shop", "cart"));
    assertThat(s.nodesChanged()).isTrue();
    assertThat(s.endpoints("default", "web"))
        .extracting(e -> e.address())
        .containsExactly("10.0.0.1");
    assertThat(s.nodes()).containsOnlyKeys("n1");
    assertThat(s.revision(Kind.SERVICE)).isEqualTo(10);
    assertThat(s.revision(Kind.ENDPOINTS)).isEqualTo(11);
    assertThat(s.revision(Kind.NODE)).isEqualTo(12);
    assertThat(s.revision()).isEqualTo(10);
  }

  @Test
  void aServiceWithoutEndpointsHasAnEmptyEndpointsObject() {
    ClusterSnapshot s = listEverything();

    ServiceEntry cart = s.service("shop", "cart").orElseThrow();
    assertThat(cart.endpoints()).isNotNull();
    assertThat(cart.endpointList()).isEmpty();
    assertThat(cart.endpoints().metadata().name()).isEqualTo("cart");
    assertThat(s.endpoints("shop", "cart")).isEmpty();
    assertThat(s.endpoints("shop", "absent")).isEmpty();
  }

  @Test
  void addingAServiceMarksOnlyItChanged() {
    ClusterSnapshot before = listEverything();

    builder.upsert(service("default", "api", 20));
    ClusterSnapshot s = builder.build().orElseThrow();

    assertThat(s.sequence()).isEqualTo(2);
    assertThat(s.changed()).containsExactly(key("default", "api"));
    assertThat(s.nodesChanged()).isFalse();
    assertThat(s.services()).hasSize(3);
    assertThat(s.revision(Kind.SERVICE)).isEqualTo(20);
    assertThat(before.services()).hasSize(2); // snapshots never change
  }

  @Test
  void modifyingEndpointsMarksTheirServiceChanged() {
    listEverything();

    builder.upsert(endpoints("default", "web", 21, "10.0.0.1", "10.0.0.2"));
    ClusterSnapshot s = builder.build().orElseThrow();

    assertThat(s.changed()).containsExactly(key("default", "web"));
    assertThat(s.endpoints("default", "web")).hasSize(2);
    assertThat(s.revision(Kind.ENDPOINTS)).isEqualTo(21);
  }

  @Test
  void deletingAServiceRemovesItAndMarksItChanged() {
    ClusterSnapshot before = listEverything();

    builder.delete(service("default", "web", 3));
    ClusterSnapshot s = builder.build().orElseThrow();

    assertThat(s.services()).containsOnlyKeys(key("shop", "cart"));
    assertThat(s.service("default", "web")).isEmpty();
    assertThat(s.changed()).containsExactly(key("default", "web"));
    assertThat(before.service("default", "web")).isPresent();
  }

  @Test
  void endpointsThatArriveBeforeTheirServiceAreJoinedWhenItArrives() {
    listEverything();

    builder.upsert(endpoints("default", "api", 30, "10.0.0.9"));
    assertThat(builder.build()).as("endpoints alone are invisible").isEmpty();

    builder.upsert(service("default", "api", 31));
    ClusterSnapshot s = builder.build().orElseThrow();
    assertThat(s.changed()).containsExactly(key("default", "api"));
    assertThat(s.endpoints("default", "api"))
        .extracting(e -> e.address())
        .containsExactly("10.0.0.9");
  }

  @Test
  void deletingEndpointsLeavesTheServiceWithNone() {
    listEverything();

    builder.delete(endpoints("default", "web", 5, "10.0.0.1"));
    ClusterSnapshot s = builder.build().orElseThrow();

    assertThat(s.changed()).containsExactly(key("default", "web"));
    assertThat(s.service("default", "web")).isPresent();
    assertThat(s.endpoints("default", "web")).isEmpty();
  }

  @Test
  void aBurstOfEventsOnOneServiceBecomesOneChange() {
    listEverything();

    builder.upsert(service("default", "api", 40));
    builder.upsert(endpoints("default", "api", 41, "10.0.0.1"));
    builder.upsert(endpoints("default", "api", 42, "10.0.0.1", "10.0.0.2"));
    ClusterSnapshot s = builder.build().orElseThrow();

    assertThat(s.sequence()).isEqualTo(2);
    assertThat(s.changed()).containsExactly(key("default", "api"));
    assertThat(s.endpoints("default", "api")).hasSize(2);
  }

  @Test
  void addingThenDeletingWithinOneBurstPublishesNothing() {
    listEverything();

    builder.upsert(service("default", "flash", 50));
    builder.delete(service("default", "flash", 50));

    assertThat(builder.build()).isEmpty();
  }

  @Test
  void relistingTheSameObjectsPublishesNothing() {
    listEverything();

    builder.relist(
        Kind.SERVICE, List.of(service("default", "web", 3), service("shop", "cart", 4)), 60);
    builder.relist(Kind.NODE, List.of(node("n1", 6)), 60);

    assertThat(builder.build()).isEmpty();
    assertThat(builder.revision(Kind.SERVICE)).isEqualTo(60);
  }

  @Test
  void relistingDeletesWhatVanishedAndMarksOnlyTheDifferencesChanged() {
    listEverything();

    builder.relist(
        Kind.SERVICE, List.of(service("shop", "cart", 4), service("default", "new", 70)), 71);
    ClusterSnapshot s = builder.build().orElseThrow();

    assertThat(s.services()).containsOnlyKeys(key("shop", "cart"), key("default", "new"));
    assertThat(s.changed()).containsExactlyInAnyOrder(key("default", "web"), key("default", "new"));
    assertThat(s.revision(Kind.SERVICE)).isEqualTo(71);
  }

  @Test
  void relistingEndpointsDropsEndpointsThatVanished() {
    listEverything();

    builder.relist(Kind.ENDPOINTS, List.of(), 80);
    ClusterSnapshot s = builder.build().orElseThrow();

    assertThat(s.changed()).containsExactly(key("default", "web"));
    assertThat(s.endpoints("default", "web")).isEmpty();
  }

  @Test
  void nodeChangesSetNodesChangedAndNoService() {
    listEverything();

    builder.upsert(node("n2", 90));
    ClusterSnapshot added = builder.build().orElseThrow();
    builder.delete(node("n1", 6));
    ClusterSnapshot removed = builder.build().orElseThrow();

    assertThat(added.nodesChanged()).isTrue();
    assertThat(added.changed()).isEmpty();
    assertThat(added.nodes()).containsOnlyKeys("n1", "n2");
    assertThat(removed.nodes()).containsOnlyKeys("n2");
    assertThat(removed.revision(Kind.NODE)).isEqualTo(90);
  }

  @Test
  void aBookmarkAdvancesTheRevisionButPublishesNothing() {
    listEverything();

    builder.bookmark(Kind.SERVICE, 99);

    assertThat(builder.build()).isEmpty();
    assertThat(builder.revision(Kind.SERVICE)).isEqualTo(99);
    builder.upsert(service("default", "web", 100));
    assertThat(builder.build().orElseThrow().revision(Kind.SERVICE)).isEqualTo(100);
  }

  @Test
  void aRevisionNeverGoesBackOnAnEventCarryingAnOlderObject() {
    listEverything();

    builder.bookmark(Kind.SERVICE, 50);
    builder.delete(service("shop", "cart", 4)); // DELETED carries the object's last state

    assertThat(builder.build().orElseThrow().revision(Kind.SERVICE)).isEqualTo(50);
  }

  @Test
  void aServiceWithoutNamespaceIsInDefault() {
    builder.relist(Kind.SERVICE, List.of(service(null, "web", 3)), 1);
    builder.relist(Kind.ENDPOINTS, List.of(endpoints(null, "web", 3, "10.0.0.1")), 1);
    builder.relist(Kind.NODE, List.of(), 1);

    ClusterSnapshot s = builder.build().orElseThrow();
    assertThat(s.endpoints("default", "web")).hasSize(1);
  }

  @Test
  void refusesKindsASnapshotDoesNotHold() {
    Instance instance =
        new Instance(
            ObjectMeta.of("default", "web-1"), InstanceSpec.of("127.0.0.1", Map.of("http", 1)));

    assertThatThrownBy(() -> builder.upsert(instance)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.relist(Kind.INSTANCE, List.of(), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oneChangeAmongTenThousandServicesSharesAllButOneShardWithThePreviousSnapshot() {
    List<io.meridian.api.Service> many = new java.util.ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      many.add(service("default", "s" + i, i + 1));
    }
    builder.relist(Kind.SERVICE, many, 10_000);
    builder.relist(Kind.ENDPOINTS, List.of(), 10_000);
    builder.relist(Kind.NODE, List.of(), 10_000);
    ClusterSnapshot before = builder.build().orElseThrow();

    builder.upsert(endpoints("default", "s77", 10_001, "10.0.0.1"));
    ClusterSnapshot after = builder.build().orElseThrow();

    assertThat(after.changed()).containsExactly(key("default", "s77"));
    assertThat(
            ((ShardedMap<?, ?>) after.services())
                .shardsSharedWith((ShardedMap<?, ?>) before.services()))
        .isEqualTo(ShardedMap.SHARDS - 1);
  }

  @Test
  void snapshotMapsCannotBeModified() {
    ClusterSnapshot s = listEverything();

    assertThatThrownBy(() -> s.services().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.services().entrySet().iterator().next().setValue(null))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.changed().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void ofMakesAFirstSnapshotForConsumersTests() {
    ClusterSnapshot s =
        ClusterSnapshot.of(
            List.of(service("default", "web", 1)),
            List.of(endpoints("default", "web", 1, "10.0.0.1")),
            List.of(node("n1", 1)));

    assertThat(s.changed()).containsExactly(key("default", "web"));
    assertThat(s.endpoints("default", "web")).hasSize(1);
    assertThat(s.nodesChanged()).isTrue();
  }
}
