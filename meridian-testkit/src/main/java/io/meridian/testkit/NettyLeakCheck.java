package io.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Netty reports a leaked buffer during it. Netty only logs leaks (the
 * surefire argLine turns paranoid detection on); this captures those reports and, after the class's
 * own {@code @AfterAll} (which closes its event loops), collects garbage and allocates until every
 * pending report is out. Use with {@code @ExtendWith(NettyLeakCheck.class)}.
 *
 * <p>Thread-safety: the appender is safe from any thread; JUnit calls the callbacks serially.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {

  private static final LeakAppender APPENDER = install();

  @Override
  public void beforeAll(ExtensionContext context) {
    collect();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    assertThat(collect()).as("Netty leak reports").isEmpty();
  }

  /** Forces pending leak reports out and returns (and forgets) the ones seen so far. */
  /** Every leak report since the last call, after forcing pending ones out. */
  public static List<String> collect() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      // With detection on, every allocation drains the detector's queue of collected buffers.
      for (ByteBufAllocator alloc :
          List.of(ByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT)) {
        for (int j = 0; j < 8; j++) {
          ByteBuf buf = alloc.directBuffer(1);
          buf.release();
          buf = alloc.heapBuffer(1);
          buf.release();
        }
      }
    }
    return APPENDER.drain();
  }

  /** Whether Netty's leak detection is on at all in this JVM. */
  public static boolean enabled() {
    return ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.DISABLED;
  }

  private static LeakAppender install() {
    LeakAppender appender = new LeakAppender();
    Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
    if (!logger.isErrorEnabled()) {
      logger.setLevel(Level.ERROR);
    }
    return appender;
  }

  private static final class LeakAppender extends AppenderBase<ILoggingEvent> {
    private final List<String> leaks = new ArrayList<>();

    @Override
    protected synchronized void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.ERROR)
          && event.getFormattedMessage().contains("LEAK")) {
        leaks.add(event.getFormattedMessage());
      }
    }

    synchronized List<String> drain() {
      List<String> out = List.copyOf(leaks);
      leaks.clear();
      return out;
    }
  }
}
