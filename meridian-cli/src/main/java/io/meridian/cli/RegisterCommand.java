package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.api.FieldError;
import io.meridian.api.GoDuration;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.api.validation.Validator;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridian register SERVICE HOST:PORT}: the shorthand of DESIGN.md. Creates Service SERVICE
 * (selector {@code app: SERVICE}, one port named {@code http}) when absent, and an Instance
 * labelled {@code app: SERVICE}. With {@code --ttl} the instance is ephemeral and this command
 * keeps it alive with heartbeats until interrupted, then deregisters it.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "register",
    sortOptions = false,
    description = {
      "Register an instance of a service (creating the service if it does not exist).",
      "",
      "The service, when created, selects app=SERVICE and has one port named after --port-name"
          + " (default http) whose targetPort is that name, so instances on other ports fit it too."
          + " The instance is named SERVICE-HOST-PORT (dots become dashes) unless --name is given.",
      "",
      "Without --ttl the instance is persistent and the command exits. With --ttl it is ephemeral:"
          + " the command stays in the foreground sending a heartbeat every ttl/3, and deregisters"
          + " the instance when interrupted (Ctrl-C); if the command dies, the instance expires"
          + " after the ttl."
    },
    footer = {
      "",
      "Examples:",
      "  meridian register web 127.0.0.1:9001",
      "  meridian register web 127.0.0.1:9002 --ttl 10s --zone a -l version=v2",
      "  meridian register api 10.0.0.7:8443 --port-name https --weight 5"
    })
final class RegisterCommand implements Callable<Integer> {

  /** Heartbeats never come faster than this, whatever the ttl. */
  static final Duration MIN_HEARTBEAT = Duration.ofMillis(100);

  static final Duration STOP_WAIT = Duration.ofSeconds(3);

  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service's name.")
  String service;

  @Parameters(
      index = "1",
      paramLabel = "HOST:PORT",
      converter = HostPort.Converter.class,
      description = "Where the instance listens.")
  HostPort target;

  @Mixin ClientOptions client;

  @Option(
      names = "--ttl",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Ephemeral instance kept alive by heartbeats (e.g. 10s); default: persistent.")
  GoDuration ttl;

  @Option(
      names = {"-l", "--label"},
      paramLabel = "KEY=VALUE",
      description = "Extra label (repeatable); app=SERVICE is always set.")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(
      names = "--port-name",
      paramLabel = "NAME",
      defaultValue = "http",
      description = "Name of the port (default: ${DEFAULT-VALUE}).")
  String portName;

  @Option(
      names = "--name",
      paramLabel = "INSTANCE",
      description = "Instance name (default: SERVICE-HOST-PORT, e.g. web-127-0-0-1-9001).")
  String name;

  @Option(
      names = "--weight",
      paramLabel = "N",
      description = "Weight 1..1000 for weighted balancing (default 1).")
  Integer weight;

  @Option(names = "--zone", paramLabel = "ZONE", description = "Zone, for zone-aware balancing.")
  String zone;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String ns = client.namespace;
    String instanceName = name != null ? name : target.instanceName(service);
    Map<String, String> instanceLabels = new LinkedHashMap<>();
    instanceLabels.put("app", service);
    instanceLabels.putAll(labels);
    Instance instance =
        new Instance(
            ObjectMeta.of(ns, instanceName, instanceLabels),
            new InstanceSpec(
                address(target.host()),
                Map.of(portName, target.port()),
                null,
                zone,
                null,
                weight,
                ttl,
                null));
    List<FieldError> problems = Validator.validate(instance);
    if (!problems.isEmpty()) {
      err.println("error: instance/" + instanceName + " is invalid");
      ErrorReport.printDetails(err, problems);
      err.flush();
      return 1;
    }
    RegistryClient registry = client.client();
    ensureService(registry, instanceLabels, out, err);
    String path = ApiPaths.object(Kind.INSTANCE, ns, instanceName);
    RegistryClient.Written w = registry.put(path, WireFormat.toJson(instance));
    out.println(
        "instance/"
            + instanceName
            + (w.created() ? " created" : " configured")
            + " ("
            + target
            + ")");
    out.flush();
    if (ttl == null) {
      return 0;
    }
    new Heartbeats(registry, instance, ttl, out, err).runUntilInterrupted();
    return 0;
  }

  /** Creates the service when absent; warns when an existing one will not select the instance. */
  private void ensureService(
      RegistryClient registry,
      Map<String, String> instanceLabels,
      PrintWriter out,
      PrintWriter err) {
    Optional<JsonNode> existing =
        registry.find(ApiPaths.object(Kind.SERVICE, client.namespace, service));
    if (existing.isPresent()) {
      Service s = (Service) WireFormat.decode(Kind.SERVICE, existing.get());
      Map<String, String> selector = s.spec() == null ? Map.of() : s.spec().selectorOrEmpty();
      boolean selects =
          !selector.isEmpty()
              && selector.entrySet().stream()
                  .allMatch(e -> e.getValue().equals(instanceLabels.get(e.getKey())));
      if (!selects) {
        err.println(
            "warning: service/"
                + service
                + " selects "
                + ResourceTables.labels(selector)
                + ", which this instance's labels do not match: it will not be one of its"
                + " endpoints");
        err.flush();
      }
      return;
    }
    ServicePort port =
        new ServicePort(
            portName,
            ServicePort.Protocol.TCP,
            target.port(),
            IntOrString.of(portName),
            null,
            null);
    Service s =
        new Service(
            ObjectMeta.of(client.namespace, service),
            ServiceSpec.of(ServiceType.ClusterIP, Map.of("app", service), List.of(port)));
    try {
      JsonNode created =
          registry.post(ApiPaths.collection(Kind.SERVICE, client.namespace), WireFormat.toJson(s));
      String ip = created.path("spec").path("clusterIP").asText("");
      out.println(
          "service/"
              + service
              + " created (selector app="
              + service
              + ", port "
              + portName
              + " "
              + target.port()
              + (ip.isEmpty() ? "" : ", clusterIP " + ip)
              + ")");
      out.flush();
    } catch (ApiException e) {
      if (e.code() != 409) {
        throw e;
      }
    }
  }

  /** The address to register: IP literals as given, host names resolved. */
  static String address(String host) {
    if (host.contains(":") || host.matches("[0-9.]+")) {
      return host;
    }
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new CliException("cannot resolve host '" + host + "'");
    }
  }
}
