package io.meridian.balancer.leastrequest;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import java.util.List;

/**
 * The {@code least_request} policy and its configuration, validated when built. Immutable.
 *
 * @param choiceCount candidates compared per pick, {@value #MIN_CHOICES}..{@value #MAX_CHOICES}
 *     (default {@value #DEFAULT_CHOICES}; see {@link LeastRequestPicker})
 * @param activeRequestBias how strongly load counts against weight, finite and {@code >= 0}
 *     (default 1.0, Envoy's {@code active_request_bias}; 0 ignores load)
 */
record LeastRequestPolicy(int choiceCount, double activeRequestBias) implements Policy {

  static final int DEFAULT_CHOICES = 2;
  static final int MIN_CHOICES = 2;
  static final int MAX_CHOICES = 10;
  static final double DEFAULT_BIAS = 1.0;

  LeastRequestPolicy {
    if (choiceCount < MIN_CHOICES || choiceCount > MAX_CHOICES) {
      throw new IllegalArgumentException(
          "choiceCount must be " + MIN_CHOICES + ".." + MAX_CHOICES + ", got " + choiceCount);
    }
    if (!(activeRequestBias >= 0) || Double.isInfinite(activeRequestBias)) {
      throw new IllegalArgumentException(
          "activeRequestBias must be a finite number >= 0, got " + activeRequestBias);
    }
  }

  @Override
  public String name() {
    return LeastRequestProvider.NAME;
  }

  @Override
  public <E> Picker<E> picker(List<Backend<E>> backends, RandomSource random) {
    return LeastRequestPicker.over(backends, random, choiceCount, activeRequestBias);
  }
}
