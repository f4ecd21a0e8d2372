package io.meridian.cli;

import java.io.PrintWriter;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * Runs the components of a {@code meridian} process in the foreground: starts them in order, prints
 * {@code meridian: NAME listening on ADDRESS} for each (the first line tests and scripts parse),
 * then waits until the process is told to stop (SIGINT, SIGTERM) and closes them in reverse order
 * from the shutdown hook.
 *
 * <p>Thread-safety: {@link #run} is called once, from the main thread; the shutdown hook only reads
 * the list of started components after {@code run} has published it.
 */
final class Foreground {

  private final PrintWriter out;
  private final PrintWriter err;

  Foreground(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  /**
   * Starts {@code components}, calls {@code started} (to print a banner) and blocks until the
   * process stops. A component that fails to start closes the ones before it and ends the command
   * with an error.
   */
  int run(List<Component> components, Runnable started) throws InterruptedException {
    List<Component> running = new ArrayList<>();
    for (Component c : components) {
      try {
        c.start().get();
      } catch (ExecutionException | CompletionException e) {
        closeAll(running);
        c.close();
        throw new CliException(
            "cannot start the "
                + c.name()
                + " on "
                + c.bindAddress()
                + ": "
                + describe(e.getCause(), c.portFlag()),
            e.getCause());
      } catch (RuntimeException e) {
        closeAll(running);
        c.close();
        throw new CliException(
            "cannot start the "
                + c.name()
                + " on "
                + c.bindAddress()
                + ": "
                + describe(e, c.portFlag()),
            e);
      }
      running.add(c);
      out.println("meridian: " + c.name() + " listening on " + c.address());
      out.flush();
    }
    started.run();
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    List<Component> toClose = List.copyOf(running);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  err.println("meridian: stopping");
                  err.flush();
                  closeAll(toClose);
                  err.println("meridian: stopped");
                  err.flush();
                  stopped.countDown();
                },
                "meridian-shutdown"));
    stopped.await();
    return 0;
  }

  private void closeAll(List<Component> started) {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (RuntimeException e) {
        err.println("meridian: closing the " + started.get(i).name() + " failed: " + describe(e));
      }
    }
  }

  static String describe(Throwable t) {
    return describe(t, "--port");
  }

  /** {@code t} in one line; an address in use suggests {@code portFlag}. */
  static String describe(Throwable t, String portFlag) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof BindException
          || (c.getMessage() != null
              && c.getMessage().toLowerCase(Locale.ROOT).contains("address already in use"))) {
        return "address already in use (is another meridian running? choose another "
            + portFlag
            + ")";
      }
    }
    Throwable root = t;
    while (root.getCause() != null
        && (root instanceof CompletionException || root instanceof ExecutionException)) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
  }
}
