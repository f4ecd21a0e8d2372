package io.meridian.registry.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meridian.testkit.NettyLeakCheck;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check the prober tests rely on does see a leak. */
class NettyLeakCheckTest {

  @Test
  void aBufferNeverReleasedIsReported() {
    assumeTrue(NettyLeakCheck.enabled(), "leak detection is off");
    NettyLeakCheck.collect();
    leakOne();
    assertThat(NettyLeakCheck.collect()).anySatisfy(m -> assertThat(m).contains("LEAK"));
  }

  private static void leakOne() {
    ByteBufAllocator.DEFAULT.directBuffer(16).writeInt(42);
  }
}
