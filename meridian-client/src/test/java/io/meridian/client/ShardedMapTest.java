package io.meridian.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardedMapTest {

  @Test
  void anEditNeverChangesAMapBuiltBeforeIt() {
    ShardedMap.Editor<Integer, String> editor = ShardedMap.<Integer, String>empty().edit();
    for (int i = 0; i < 1000; i++) {
      editor.put(i, "v" + i);
    }
    ShardedMap<Integer, String> first = editor.build();

    editor.put(5, "changed");
    editor.remove(6);
    editor.put(1000, "new");
    ShardedMap<Integer, String> second = editor.build();

    assertThat(first)
        .hasSize(1000)
        .containsEntry(5, "v5")
        .containsEntry(6, "v6")
        .doesNotContainKey(1000);
    assertThat(second)
        .hasSize(1000)
        .containsEntry(5, "changed")
        .doesNotContainKey(6)
        .containsEntry(1000, "new");
  }

  @Test
  void oneChangeCopiesOnlyTheShardItTouches() {
    ShardedMap.Editor<Integer, String> editor = ShardedMap.<Integer, String>empty().edit();
    for (int i = 0; i < 10_000; i++) {
      editor.put(i, "v" + i);
    }
    ShardedMap<Integer, String> before = editor.build();

    editor.put(42, "changed");
    ShardedMap<Integer, String> after = editor.build();

    assertThat(after.shardsSharedWith(before)).isEqualTo(ShardedMap.SHARDS - 1);
  }

  @Test
  void keysSpreadOverEveryShard() {
    ShardedMap.Editor<Integer, String> editor = ShardedMap.<Integer, String>empty().edit();
    for (int i = 0; i < 10_000; i++) {
      editor.put(i, "v" + i);
    }

    assertThat(editor.build().shardsSharedWith(ShardedMap.empty())).isZero();
  }

  @Test
  void behavesAsTheHashMapItMirrors() {
    ShardedMap.Editor<String, Integer> editor = ShardedMap.<String, Integer>empty().edit();
    Map<String, Integer> expected = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      editor.put("k" + (i % 300), i);
      expected.put("k" + (i % 300), i);
      if (i % 7 == 0) {
        editor.remove("k" + (i % 50));
        expected.remove("k" + (i % 50));
      }
    }
    ShardedMap<String, Integer> map = editor.build();

    assertThat(map).isEqualTo(expected);
    assertThat(map.size()).isEqualTo(expected.size());
    assertThat(map.entrySet()).hasSize(expected.size());
    assertThat(map.hashCode()).isEqualTo(expected.hashCode());
  }

  @Test
  void removingAnAbsentKeyChangesNothing() {
    ShardedMap.Editor<String, Integer> editor = ShardedMap.<String, Integer>empty().edit();
    editor.put("a", 1);

    assertThat(editor.remove("b")).isNull();
    assertThat(editor.build()).containsExactly(Map.entry("a", 1));
  }

  @Test
  void isReadOnly() {
    ShardedMap.Editor<String, Integer> editor = ShardedMap.<String, Integer>empty().edit();
    editor.put("a", 1);
    ShardedMap<String, Integer> map = editor.build();

    assertThatThrownBy(() -> map.put("b", 2)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.remove("a")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.keySet().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
