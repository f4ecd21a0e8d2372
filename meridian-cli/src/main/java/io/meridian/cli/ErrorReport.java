package io.meridian.cli;

import io.meridian.api.FieldError;
import java.io.PrintWriter;
import java.util.List;

/**
 * Turns an exception escaping a command into what a person reads on stderr: {@code error: …} and,
 * for API errors, one indented line per field at fault. Stateless.
 */
final class ErrorReport {

  private ErrorReport() {}

  static void print(Exception ex, PrintWriter err, boolean debug) {
    switch (ex) {
      case ApiException api -> printApiError(err, null, api);
      case CliException cli -> err.println("error: " + cli.getMessage());
      default -> {
        String message = ex.getMessage();
        err.println(
            "error: "
                + (message == null || message.isBlank()
                    ? ex.getClass().getSimpleName()
                    : ex.getClass().getSimpleName() + ": " + message));
      }
    }
    if (debug) {
      ex.printStackTrace(err);
    } else if (!(ex instanceof ApiException) && !(ex instanceof CliException)) {
      err.println("(run again with --debug for the stack trace)");
    }
    err.flush();
  }

  /** {@code error: [subject: ]message} and one {@code field: message} line per detail. */
  static void printApiError(PrintWriter err, String subject, ApiException ex) {
    String message = ex.getMessage();
    err.println("error: " + (subject == null ? "" : subject + ": ") + message);
    // a message that already is its one detail ("spec.x: why") is not repeated below it
    printDetails(
        err,
        ex.error().details().stream()
            .filter(d -> !message.equals(d.field() + ": " + d.message()))
            .toList());
  }

  static void printDetails(PrintWriter err, List<FieldError> details) {
    for (FieldError d : details) {
      err.println("  " + d.field() + ": " + d.message());
    }
  }
}
