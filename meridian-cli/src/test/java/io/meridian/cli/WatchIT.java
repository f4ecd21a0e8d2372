package io.meridian.cli;

import io.meridian.testkit.CliRunner;
import io.meridian.testkit.MeridianProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code meridian watch} prints one line per change. */
class WatchIT {

  @Test
  void watchPrintsAddedAndDeletedServices() {
    try (MeridianProcess server = MeridianProcess.startServer()) {
      CliRunner cli = CliRunner.against(server.uri());
      cli.exec("register", "before", "127.0.0.1:9301");
      try (MeridianProcess watch =
          MeridianProcess.launch("watch", "services", "--registry", server.uri().toString())) {
        watch.awaitLine(l -> l.matches("ADDED +service/before .*"), Duration.ofSeconds(30));

        cli.exec("register", "after", "127.0.0.1:9302");
        watch.awaitLine(
            l -> l.matches("ADDED +service/after .*9302/TCP.*"), Duration.ofSeconds(30));

        cli.exec("delete", "service", "after");
        watch.awaitLine(l -> l.matches("DELETED +service/after.*"), Duration.ofSeconds(30));
      }
    }
  }
}
