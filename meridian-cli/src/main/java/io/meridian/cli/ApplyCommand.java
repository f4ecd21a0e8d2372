package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.api.FieldError;
import io.meridian.api.InvalidResourceException;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import io.meridian.api.codec.Codec;
import io.meridian.api.validation.Validator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meridian apply -f FILE}: create or replace every object of a manifest, as {@code kubectl
 * apply} does. Each document is validated locally first; every document is tried, and the exit code
 * is 1 when any failed.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "apply",
    sortOptions = false,
    description = {
      "Create or update the objects of a manifest file.",
      "",
      "The manifest is JSON (an object or a List), or YAML with '---' between documents;"
          + " Kubernetes Service manifests apply unchanged. Each object is validated locally first,"
          + " then written. Prints one line per object: created, configured or unchanged."
          + " Every object is tried; the exit code is 1 if any failed."
    },
    footer = {
      "",
      "Examples:",
      "  meridian apply -f web.yaml",
      "  cat services.yaml | meridian apply -f -",
      "  meridian apply -f web.yaml -n shop"
    })
final class ApplyCommand implements Callable<Integer> {

  @Option(
      names = {"-f", "--filename"},
      paramLabel = "FILE",
      required = true,
      description = "The manifest; '-' reads standard input.")
  String file;

  @Mixin ClientOptions client;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Resource> docs;
    try {
      docs = Codec.decodeAll(read());
    } catch (InvalidResourceException e) {
      err.println("error: " + source() + ": " + e.getMessage());
      ErrorReport.printDetails(
          err, e.errors().stream().filter(d -> !e.getMessage().contains(d.message())).toList());
      err.flush();
      return 1;
    }
    if (docs.isEmpty()) {
      err.println("error: no objects in " + source());
      err.flush();
      return 1;
    }
    RegistryClient registry = client.client();
    int failed = 0;
    for (Resource doc : docs) {
      Kind kind = doc.kindInfo();
      String ref =
          WireFormat.ref(kind, doc.metadata() == null ? "<unnamed>" : doc.metadata().name());
      List<FieldError> problems = Validator.validate(doc);
      if (!problems.isEmpty()) {
        err.println("error: " + ref + " is invalid");
        ErrorReport.printDetails(err, problems);
        err.flush();
        failed++;
        continue;
      }
      try {
        out.println(ref + " " + apply(registry, kind, doc));
        out.flush();
      } catch (ApiException e) {
        ErrorReport.printApiError(err, ref, e);
        err.flush();
        failed++;
      }
    }
    return failed == 0 ? 0 : 1;
  }

  /** Writes one object unless it is unchanged; returns created, configured or unchanged. */
  private String apply(RegistryClient registry, Kind kind, Resource doc) {
    String namespace =
        doc.metadata().namespace() == null ? client.namespace : doc.metadata().namespace();
    Resource desired =
        kind.namespaced() ? doc.withMetadata(doc.metadata().withNamespace(namespace)) : doc;
    String path = ApiPaths.object(kind, namespace, desired.metadata().name());
    Optional<JsonNode> current = registry.find(path);
    if (current.isPresent()) {
      Resource stored = WireFormat.decode(kind, current.get());
      JsonNode want = Codec.json().valueToTree(desired);
      JsonNode have = Codec.json().valueToTree(stored);
      if (ApplyDiff.unchanged(want, have)) {
        return "unchanged";
      }
      if (desired instanceof Service s && stored instanceof Service old) {
        desired = ApplyDiff.keepAllocations(s, old);
      }
    }
    desired = desired.withMetadata(withoutServerFields(desired.metadata()));
    RegistryClient.Written w = registry.put(path, WireFormat.toJson(desired));
    return w.created() ? "created" : "configured";
  }

  /** Manifests exported from a registry carry resourceVersion; apply means "make it so" anyway. */
  private static ObjectMeta withoutServerFields(ObjectMeta m) {
    return m.withResourceVersion(null);
  }

  private byte[] read() {
    try {
      return "-".equals(file) ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new CliException("no such file: " + file);
    } catch (IOException e) {
      throw new CliException("cannot read " + source() + ": " + e.getMessage());
    }
  }

  private String source() {
    return "-".equals(file) ? "standard input" : file;
  }
}
