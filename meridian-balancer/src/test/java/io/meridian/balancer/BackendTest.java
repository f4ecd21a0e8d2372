package io.meridian.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackendTest {

  @Test
  void aReweightedCopySharesTheInFlightCount() {
    Backend<String> b = Backend.of("a", "10.0.0.1:80", 100, "z1");
    Backend<String> ramped = b.withWeight(7);
    Backend<String> again = ramped.withWeight(50);

    assertThat(ramped.weight()).isEqualTo(7);
    assertThat(ramped.key()).isEqualTo(b.key());
    assertThat(ramped.zone()).isEqualTo("z1");
    ramped.started();
    again.started();
    assertThat(b.activeRequests()).isEqualTo(2);
    b.finished();
    assertThat(ramped.activeRequests()).isEqualTo(1);
    assertThat(again.activeRequests()).isEqualTo(1);
  }

  @Test
  void theSameWeightIsTheSameBackend() {
    Backend<String> b = Backend.of("a", "k", 3, "");
    assertThat(b.withWeight(3)).isSameAs(b);
  }

  @Test
  void aWeightOutOfRangeIsRefused() {
    Backend<String> b = Backend.of("a", "k");
    assertThatThrownBy(() -> b.withWeight(0)).hasMessageContaining("weight must be 1..");
  }
}
