package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.BindException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ForegroundTest {

  @Test
  void anAddressInUseNamesTheFlagThatMovesThatComponent() {
    Throwable inUse = new CompletionException(new BindException("Address already in use"));
    assertThat(Foreground.describe(inUse, "--dns-port"))
        .isEqualTo(
            "address already in use (is another meridian running? choose another --dns-port)");
    assertThat(Foreground.describe(inUse)).endsWith("choose another --port)");
  }

  @Test
  void otherErrorsAreTheirRootCausesMessage() {
    Throwable t = new CompletionException(new IllegalStateException("no such interface"));
    assertThat(Foreground.describe(t, "--port")).isEqualTo("no such interface");
  }
}
