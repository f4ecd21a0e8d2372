package io.meridian.balancer.testing;

import io.meridian.balancer.Backend;
import java.util.ArrayList;
import java.util.List;

/** Backends for tests, keyed like endpoints ({@code 10.0.0.1:8080}), valued by their key. */
public final class Fleet {

  private Fleet() {}

  /** The key of the i-th test backend: {@code 10.0.<i / 250>.<i % 250 + 1>:8080}. */
  public static String key(int i) {
    return "10.0." + i / 250 + "." + (i % 250 + 1) + ":8080";
  }

  /** {@code n} backends of weight 1. */
  public static List<Backend<String>> of(int n) {
    List<Backend<String>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Backend.of(key(i), key(i)));
    }
    return out;
  }

  /** Backends with these keys, weight 1. */
  public static List<Backend<String>> named(String... keys) {
    List<Backend<String>> out = new ArrayList<>(keys.length);
    for (String k : keys) {
      out.add(Backend.of(k, k));
    }
    return out;
  }

  /** One backend per weight, in order. */
  public static List<Backend<String>> weighted(int... weights) {
    List<Backend<String>> out = new ArrayList<>(weights.length);
    for (int i = 0; i < weights.length; i++) {
      out.add(Backend.of(key(i), key(i), weights[i], ""));
    }
    return out;
  }

  /** One backend per weight, in order. */
  public static List<Backend<String>> weighted(List<Integer> weights) {
    return weighted(weights.stream().mapToInt(Integer::intValue).toArray());
  }
}
