package io.meridian.registry.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KvStateTest {

  @Test
  void keyOrderIsUtf8ByteOrder() {
    Random random = new Random(42);
    int[] pool = {'a', 'z', 0x7f, 0xe9, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600};
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0, n = 1 + random.nextInt(4); j < n; j++) {
        sb.appendCodePoint(pool[random.nextInt(pool.length)]);
      }
      keys.add(sb.toString());
    }
    List<String> byComparator = new ArrayList<>(keys);
    byComparator.sort(KvState.KEY_ORDER);
    List<String> byBytes = new ArrayList<>(keys);
    byBytes.sort(
        (a, b) ->
            Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    assertThat(byComparator).isEqualTo(byBytes);
  }
}
