package io.meridian.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of {@code dig} (BIND 9's, from {@code /usr/bin/dig}) against 127.0.0.1, with its full
 * output parsed: the header's status and ID, the flags, and the question, answer and authority
 * sections. When dig followed a truncated UDP answer to TCP, the sections are the TCP answer's (the
 * last header printed).
 *
 * <p>Thread-safety: immutable; {@link #run} may be called from any thread.
 *
 * @param output everything dig printed, for failure messages
 * @param status NOERROR, NXDOMAIN, ... (null when no answer came)
 * @param id the answer's message ID (-1 when none came)
 */
record Dig(
    int exit,
    String output,
    String status,
    int id,
    Set<String> flags,
    List<String> question,
    List<Rr> answer,
    List<Rr> authority) {

  private static final Pattern HEADER =
      Pattern.compile(";; ->>HEADER<<- opcode: \\w+, status: (\\w+), id: (\\d+)");
  private static final Pattern FLAGS = Pattern.compile(";; flags:([a-z ]*);");

  /** One record as dig prints it; the type upper-case, the TTL as a number. */
  record Rr(String name, long ttl, String type, String rdata) {
    /** Type and data, what two clients must agree on. */
    String typeAndData() {
      return type + " " + rdata;
    }
  }

  /** Runs {@code dig @127.0.0.1 -p port +tries=1 +time=2 args...}; waits at most 20 s. */
  static Dig run(int port, String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of("dig", "@127.0.0.1", "-p", Integer.toString(port), "+tries=1", "+time=2"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("dig", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        throw new AssertionError("dig did not finish in 20 s: " + cmd);
      }
      return parse(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
    }
  }

  static Dig parse(int exit, String output) {
    String status = null;
    int id = -1;
    Set<String> flags = Set.of();
    List<String> question = new ArrayList<>();
    List<Rr> answer = new ArrayList<>();
    List<Rr> authority = new ArrayList<>();
    String section = "";
    for (String line : output.split("\n")) {
      Matcher h = HEADER.matcher(line);
      if (h.find()) { // a new answer (after a TC retry over TCP): start over
        status = h.group(1);
        id = Integer.parseInt(h.group(2));
        question.clear();
        answer.clear();
        authority.clear();
        continue;
      }
      Matcher f = FLAGS.matcher(line);
      if (f.find()) {
        flags = Set.of(f.group(1).trim().split(" +"));
        continue;
      }
      if (line.startsWith(";; ") && line.endsWith(" SECTION:")) {
        section = line.substring(3, line.length() - " SECTION:".length());
        continue;
      }
      if (line.isBlank()) {
        section = "";
        continue;
      }
      switch (section) {
        case "QUESTION" -> question.add(line.substring(1).trim().replaceAll("\\s+", " "));
        case "ANSWER" -> answer.add(rr(line));
        case "AUTHORITY" -> authority.add(rr(line));
        default -> {}
      }
    }
    return new Dig(exit, output, status, id, flags, question, answer, authority);
  }

  private static Rr rr(String line) {
    String[] f = line.trim().split("\\s+", 5);
    return new Rr(f[0], Long.parseLong(f[1]), f[3].toUpperCase(Locale.ROOT), f[4]);
  }

  /** Type and data of every answer record, for comparing with dnsjava. */
  List<String> answerData() {
    return answer.stream().map(Rr::typeAndData).toList();
  }
}
