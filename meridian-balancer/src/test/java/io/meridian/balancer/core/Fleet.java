package io.meridian.balancer.core;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helpers: backends by name, and what a picker would hand out. */
final class Fleet {

  private Fleet() {}

  /** Backends {@code prefix1..prefixN}, weight 1, no zone; value = key. */
  static List<Backend<String>> named(String prefix, int n) {
    List<Backend<String>> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(Backend.of(prefix + i, prefix + i));
    }
    return out;
  }

  /** Backends {@code zone1..zoneN} in {@code zone}. */
  static List<Backend<String>> inZone(String zone, int n) {
    List<Backend<String>> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(Backend.of(zone + i, zone + i, 1, zone));
    }
    return out;
  }

  @SafeVarargs
  static <E> List<E> concat(List<E>... lists) {
    List<E> out = new ArrayList<>();
    for (List<E> l : lists) {
      out.addAll(l);
    }
    return out;
  }

  /** The keys a picker was built over, in order (test policy only). */
  static List<String> keys(Picker<String> picker) {
    if (picker.size() == 0) {
      return List.of();
    }
    return ((SequencePolicy.SequencePicker<String>) picker)
        .backends().stream().map(Backend::key).toList();
  }

  /** Weight by key of the backends a picker was built over (test policy only). */
  static Map<String, Integer> weights(Picker<String> picker) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Backend<String> b : ((SequencePolicy.SequencePicker<String>) picker).backends()) {
      out.put(b.key(), b.weight());
    }
    return out;
  }

  /** Picks {@code n} times and counts by key. */
  static Map<String, Integer> pickCounts(Picker<String> picker, int n) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      Backend<String> b = picker.pick();
      out.merge(b == null ? "null" : b.key(), 1, Integer::sum);
    }
    return out;
  }
}
