package io.meridian.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.codec.Codec;
import io.meridian.api.validation.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed input, decoded and validated the way the registry and {@code meridian apply} do: each
 * row names the exact field at fault (or the line and column of a syntax error) and a phrase the
 * message must contain. 400 rows fail in the codec, 422 rows in the validator.
 */
class RejectedInputTest {

  static final String JSON = "application/json";
  static final String YAML = "application/yaml";

  /** {@code meridian apply -f}: a manifest of any kinds, decoded with {@link Codec#decodeAll}. */
  static final String MANIFEST = "manifest";

  static final String NAME_64 = "a".repeat(64);

  /** One malformed input and what must be said about it. */
  record Row(
      String what, String format, Kind kind, String body, int code, String field, String says) {
    @Override
    public String toString() {
      return what;
    }
  }

  /** JSON written with single quotes, for legibility. */
  static String j(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  static Row svc(String what, String json, int code, String field, String says) {
    return new Row(what, JSON, Kind.SERVICE, j(json), code, field, says);
  }

  static Row inst(String what, String json, int code, String field, String says) {
    return new Row(what, JSON, Kind.INSTANCE, j(json), code, field, says);
  }

  static final String PORTS = "'ports':[{'name':'http','port':80}]";
  static final String ADDRESS = "'address':'10.0.0.1','ports':{'http':8080}";

  static Stream<Row> rows() {
    return Stream.of(
        // Syntax.
        new Row(
            "bad JSON",
            JSON,
            Kind.SERVICE,
            "{\n  \"metadata\": {\"name\": \"web\"},,\n  \"spec\": {}\n}",
            400,
            "line 2, column 31",
            "unexpected character ','"),
        new Row(
            "truncated JSON",
            JSON,
            Kind.SERVICE,
            "{\"metadata\": {\"name\": \"web\"}, \"spec\": {\"ports\": [",
            400,
            "line 1, column 50",
            "unexpected end of input"),
        new Row(
            "bare word",
            JSON,
            Kind.SERVICE,
            "{\"metadata\": {\"name\": web}}",
            400,
            "line 1, column 23",
            "unrecognized token 'web'"),
        new Row(
            "empty body", JSON, Kind.SERVICE, "", 400, "line 1, column 1", "request body is empty"),
        new Row(
            "blank YAML body",
            YAML,
            Kind.SERVICE,
            "# only a comment\n",
            400,
            "line 1, column 1",
            "request body is empty"),
        new Row(
            "JSON array body",
            JSON,
            Kind.SERVICE,
            "[{\"metadata\": {\"name\": \"web\"}}]",
            400,
            "line 1, column 1",
            "must be an object, got a list"),
        new Row(
            "JSON string body",
            JSON,
            Kind.SERVICE,
            "\"web\"",
            400,
            "line 1, column 1",
            "must be an object, got string \"web\""),
        new Row(
            "trailing data after the object",
            JSON,
            Kind.SERVICE,
            "{\"metadata\": {\"name\": \"web\"}} {}",
            400,
            "line 1, column 31",
            "unexpected data after the end"),
        svc(
            "duplicate JSON key",
            "{'metadata':{'name':'web','name':'api'}}",
            400,
            "metadata.name",
            "duplicate key \"name\" at line 1, column 27"),
        new Row(
            "YAML tab indentation",
            YAML,
            Kind.SERVICE,
            "metadata:\n\tname: web\n",
            400,
            "line 2, column 1",
            "cannot start any token"),
        new Row(
            "YAML bad nesting",
            YAML,
            Kind.SERVICE,
            "spec:\n  ports:\n  - port: 80\n name: http\n",
            400,
            "line 4, column 2",
            "expected <block end>"),
        new Row(
            "two YAML documents where one is expected",
            YAML,
            Kind.SERVICE,
            "metadata: {name: a}\n---\nmetadata: {name: b}\n",
            400,
            "line 3, column 1",
            "more than one document"),

        // Types.
        svc(
            "ports is an object",
            "{'spec':{'ports':{'port':80}}}",
            400,
            "spec.ports",
            "must be a list, got an object"),
        svc(
            "port as a string",
            "{'spec':{'ports':[{'port':'80'}]}}",
            400,
            "spec.ports[0].port",
            "must be an integer, got string \"80\""),
        new Row(
            "port as a quoted YAML string",
            YAML,
            Kind.SERVICE,
            "spec:\n  ports:\n  - port: \"80\"\n",
            400,
            "spec.ports[0].port",
            "must be an integer, got string \"80\""),
        svc(
            "port as a fraction",
            "{'spec':{'ports':[{'port':80.5}]}}",
            400,
            "spec.ports[0].port",
            "must be an integer, got number 80.5"),
        svc(
            "port beyond 32 bits",
            "{'spec':{'ports':[{'port':99999999999}]}}",
            400,
            "spec.ports[0].port",
            "must be a 32-bit integer, got number 99999999999"),
        svc(
            "port name as a number",
            "{'spec':{'ports':[{'name':80,'port':80}]}}",
            400,
            "spec.ports[0].name",
            "must be a string, got number 80"),
        svc(
            "targetPort as a fraction",
            "{'spec':{'ports':[{'port':80,'targetPort':80.5}]}}",
            400,
            "spec.ports[0].targetPort",
            "must be a port number or a port name, got number 80.5"),
        svc(
            "boolean as a string",
            "{'spec':{'publishNotReadyAddresses':'true'," + PORTS + "}}",
            400,
            "spec.publishNotReadyAddresses",
            "must be true or false, got string \"true\""),
        svc(
            "bad enum type",
            "{'spec':{'type':'Clusterip'," + PORTS + "}}",
            400,
            "spec.type",
            "must be one of ClusterIP, NodePort, LoadBalancer, ExternalName, got \"Clusterip\""),
        svc(
            "lower-case protocol",
            "{'spec':{'ports':[{'port':80,'protocol':'tcp'}]}}",
            400,
            "spec.ports[0].protocol",
            "must be one of TCP, UDP, got \"tcp\""),
        svc(
            "label value null",
            "{'metadata':{'name':'web','labels':{'app':null}}}",
            400,
            "metadata.labels[app]",
            "must not be null"),
        svc(
            "label value a number",
            "{'metadata':{'name':'web','labels':{'version':1}}}",
            400,
            "metadata.labels[version]",
            "must be a string, got number 1"),
        new Row(
            "YAML yes as a label value",
            YAML,
            Kind.SERVICE,
            "metadata:\n  name: web\n  labels:\n    enabled: yes\n",
            400,
            "metadata.labels[enabled]",
            "must be a string, got true; quote it to make it a string"),
        inst(
            "ttl with a space",
            "{'metadata':{'name':'web-1'},'spec':{" + ADDRESS + ",'ttl':'5 s'}}",
            400,
            "spec.ttl",
            "\"5 s\" is not a duration"),
        inst(
            "ttl as a number",
            "{'metadata':{'name':'web-1'},'spec':{" + ADDRESS + ",'ttl':30}}",
            400,
            "spec.ttl",
            "must be a duration such as 10s, 500ms or 1m30s, got number 30"),
        inst(
            "instance port as a string",
            "{'metadata':{'name':'web-1'},'spec':{'address':'10.0.0.1','ports':{'http':'8080'}}}",
            400,
            "spec.ports[http]",
            "must be an integer, got string \"8080\""),

        // Unknown fields and kinds.
        svc(
            "unknown field at the top",
            "{'metadata':{'name':'web'},'spek':{}}",
            400,
            "spek",
            "unknown field \"spek\" (did you mean \"spec\"?)"),
        svc(
            "unknown field nested",
            "{'metadata':{'name':'web'},'spec':{'selecter':{'app':'web'}," + PORTS + "}}",
            400,
            "spec.selecter",
            "unknown field \"selecter\" (did you mean \"selector\"?)"),
        svc(
            "unknown field in a list element",
            "{'spec':{'ports':[{'port':80,'prot':'TCP'}]}}",
            400,
            "spec.ports[0].prot",
            "unknown field \"prot\""),
        svc(
            "kind of another resource",
            "{'kind':'Instance','metadata':{'name':'web'}}",
            400,
            "kind",
            "is Instance, expected Service"),
        svc(
            "wrong apiVersion",
            "{'apiVersion':'apps/v1','kind':'Service','metadata':{'name':'web'}}",
            400,
            "apiVersion",
            "is apps/v1, expected v1"),
        inst(
            "Kubernetes apiVersion on an Instance",
            "{'apiVersion':'v1','kind':'Instance'}",
            400,
            "apiVersion",
            "is v1, expected meridian.io/v1"),
        new Row(
            "unknown kind",
            MANIFEST,
            null,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
            400,
            "kind",
            "unknown kind \"Deployment\"; known kinds are Service, Instance, Endpoints, Node,"
                + " Namespace"),
        new Row(
            "kind missing in a multi-document manifest",
            MANIFEST,
            null,
            "kind: Namespace\nmetadata: {name: shop}\n---\nmetadata: {name: web}\n",
            400,
            "documents[1].kind",
            "is required"),
        new Row(
            "YAML multi-doc with one bad doc",
            MANIFEST,
            null,
            "kind: Namespace\n"
                + "metadata: {name: shop}\n"
                + "---\n"
                + "kind: Service\n"
                + "metadata: {name: web}\n"
                + "spec:\n"
                + "  ports:\n"
                + "  - port: eighty\n",
            400,
            "documents[1].spec.ports[0].port",
            "must be an integer, got string \"eighty\""),
        new Row(
            "bad item in a List",
            MANIFEST,
            null,
            j(
                "{'kind':'List','items':[{'kind':'Service','metadata':{'name':'web'},'spec':{'ports':[{'port':80}]}},{'kind':'Instance','spec':{'wieght':2}}]}"),
            400,
            "items[1].spec.wieght",
            "unknown field \"wieght\" (did you mean \"weight\"?)"),

        // Names and labels.
        svc(
            "upper-case name",
            "{'metadata':{'name':'Web'},'spec':{" + PORTS + "}}",
            422,
            "metadata.name",
            "must be a DNS-1035 label"),
        svc(
            "name starting with a dash",
            "{'metadata':{'name':'-web'},'spec':{" + PORTS + "}}",
            422,
            "metadata.name",
            "got \"-web\""),
        svc(
            "name with an underscore",
            "{'metadata':{'name':'a_b'},'spec':{" + PORTS + "}}",
            422,
            "metadata.name",
            "must be a DNS-1035 label"),
        svc(
            "service name starting with a digit",
            "{'metadata':{'name':'1web'},'spec':{" + PORTS + "}}",
            422,
            "metadata.name",
            "starting with a letter"),
        svc(
            "64-character name",
            "{'metadata':{'name':'" + NAME_64 + "'},'spec':{" + PORTS + "}}",
            422,
            "metadata.name",
            "must be at most 63 characters, got 64"),
        svc(
            "name missing",
            "{'metadata':{'namespace':'shop'},'spec':{" + PORTS + "}}",
            422,
            "metadata.name",
            "is required"),
        svc(
            "bad namespace",
            "{'metadata':{'name':'web','namespace':'Shop'},'spec':{" + PORTS + "}}",
            422,
            "metadata.namespace",
            "must be a DNS-1123 label"),
        svc(
            "bad label key",
            "{'metadata':{'name':'web','labels':{'app!':'web'}},'spec':{" + PORTS + "}}",
            422,
            "metadata.labels[app!]",
            "key must be letters, digits"),
        svc(
            "bad label key prefix",
            "{'metadata':{'name':'web','labels':{'Example.com/app':'web'}},'spec':{" + PORTS + "}}",
            422,
            "metadata.labels[Example.com/app]",
            "key prefix must be a DNS-1123 subdomain"),
        svc(
            "64-character label value",
            "{'metadata':{'name':'web','labels':{'app':'" + NAME_64 + "'}},'spec':{" + PORTS + "}}",
            422,
            "metadata.labels[app]",
            "value must be at most 63 characters, got 64"),
        svc(
            "bad selector value",
            "{'metadata':{'name':'web'},'spec':{'selector':{'app':'web site'}," + PORTS + "}}",
            422,
            "spec.selector[app]",
            "value must be empty or letters"),
        svc(
            "bad annotation key",
            "{'metadata':{'name':'web','annotations':{'a b':'x'}},'spec':{" + PORTS + "}}",
            422,
            "metadata.annotations[a b]",
            "key must be letters"),

        // Service ports.
        svc(
            "port 70000",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'port':70000}]}}",
            422,
            "spec.ports[0].port",
            "must be 1..65535, got 70000"),
        svc(
            "port 0",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'port':0}]}}",
            422,
            "spec.ports[0].port",
            "must be 1..65535, got 0"),
        svc(
            "port missing",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'name':'http'}]}}",
            422,
            "spec.ports[0].port",
            "is required"),
        svc(
            "no ports",
            "{'metadata':{'name':'web'},'spec':{'selector':{'app':'web'}}}",
            422,
            "spec.ports",
            "at least one port is required"),
        svc("spec missing", "{'metadata':{'name':'web'}}", 422, "spec", "is required"),
        svc(
            "duplicate port names",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'name':'http','port':80},{'name':'http','port':81}]}}",
            422,
            "spec.ports[1].name",
            "duplicate name \"http\""),
        svc(
            "duplicate ports",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'name':'a','port':80},{'name':'b','port':80}]}}",
            422,
            "spec.ports[1].port",
            "duplicate port 80/TCP"),
        svc(
            "name missing with two ports",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'name':'a','port':80},{'port':81}]}}",
            422,
            "spec.ports[1].name",
            "is required when a service has more than one port"),
        svc(
            "bad port name",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'name':'HTTP','port':80}]}}",
            422,
            "spec.ports[0].name",
            "must be a DNS-1123 label"),
        svc(
            "targetPort name too long for IANA",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'port':80,'targetPort':'http-alternative'}]}}",
            422,
            "spec.ports[0].targetPort",
            "must be at most 15 characters, got 16"),
        svc(
            "targetPort name without a letter",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'port':80,'targetPort':'8080'}]}}",
            422,
            "spec.ports[0].targetPort",
            "at least one letter"),
        svc(
            "targetPort 0",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'port':80,'targetPort':0}]}}",
            422,
            "spec.ports[0].targetPort",
            "must be 1..65535, got 0"),
        svc(
            "nodePort on ClusterIP",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'port':80,'nodePort':30080}]}}",
            422,
            "spec.ports[0].nodePort",
            "may only be set for NodePort and LoadBalancer services"),
        svc(
            "unknown appProtocol",
            "{'metadata':{'name':'web'},'spec':{'ports':[{'port':80,'appProtocol':'http2'}]}}",
            422,
            "spec.ports[0].appProtocol",
            "must be one of tcp, http, h2c, grpc, tls"),

        // Service addresses and types.
        svc(
            "clusterIP octet over 255",
            "{'metadata':{'name':'web'},'spec':{'clusterIP':'10.0.0.300'," + PORTS + "}}",
            422,
            "spec.clusterIP",
            "got \"10.0.0.300\""),
        svc(
            "clusterIP with two '::'",
            "{'metadata':{'name':'web'},'spec':{'clusterIP':'fd00::1::2'," + PORTS + "}}",
            422,
            "spec.clusterIP",
            "must be empty, None, or an IPv4 or IPv6 address"),
        svc(
            "headless NodePort",
            "{'metadata':{'name':'web'},'spec':{'type':'NodePort','clusterIP':'None',"
                + PORTS
                + "}}",
            422,
            "spec.clusterIP",
            "may not be None for NodePort services"),
        svc(
            "ExternalName without externalName",
            "{'metadata':{'name':'web'},'spec':{'type':'ExternalName'}}",
            422,
            "spec.externalName",
            "is required for ExternalName services"),
        svc(
            "ExternalName that is no DNS name",
            "{'metadata':{'name':'web'},'spec':{'type':'ExternalName','externalName':'db_1.example.com'}}",
            422,
            "spec.externalName",
            "must be a DNS-1123 subdomain"),
        svc(
            "loadBalancerIP that is a hostname",
            "{'metadata':{'name':'web'},'spec':{'type':'LoadBalancer','loadBalancerIP':'lb.example.com',"
                + PORTS
                + "}}",
            422,
            "spec.loadBalancerIP",
            "must be an IPv4 or IPv6 address"),
        svc(
            "affinity timeout over a day",
            "{'metadata':{'name':'web'},'spec':{'sessionAffinity':'ClientIP','sessionAffinityConfig':{'clientIP':{'timeoutSeconds':86401}},"
                + PORTS
                + "}}",
            422,
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
            "must be 1..86400, got 86401"),
        svc(
            "unknown balancing policy",
            "{'metadata':{'name':'web'},'spec':{'loadBalancing':{'policy':'fastest'},"
                + PORTS
                + "}}",
            422,
            "spec.loadBalancing.policy",
            "must be one of least_request, maglev, random, ring_hash, round_robin,"
                + " weighted_round_robin, got \"fastest\""),
        svc(
            "hashOn a header with a space",
            "{'metadata':{'name':'web'},'spec':{'loadBalancing':{'policy':'maglev','hashOn':'header:x"
                + " user'},"
                + PORTS
                + "}}",
            422,
            "spec.loadBalancing.hashOn",
            "must be client_ip or header:NAME"),
        svc(
            "healthCheck timeout over interval",
            "{'metadata':{'name':'web'},'spec':{'healthCheck':{'type':'http','interval':'5s','timeout':'10s'},"
                + PORTS
                + "}}",
            422,
            "spec.healthCheck.timeout",
            "must not exceed the interval 5s, got 10s"),
        svc(
            "healthCheck without a type",
            "{'metadata':{'name':'web'},'spec':{'healthCheck':{'interval':'5s'}," + PORTS + "}}",
            422,
            "spec.healthCheck.type",
            "is required"),
        svc(
            "healthCheck rise 0",
            "{'metadata':{'name':'web'},'spec':{'healthCheck':{'type':'tcp','rise':0},"
                + PORTS
                + "}}",
            422,
            "spec.healthCheck.rise",
            "must be 1..100, got 0"),

        // Instances.
        inst(
            "address that is a hostname",
            "{'metadata':{'name':'web-1'},'spec':{'address':'example.com','ports':{'http':8080}}}",
            422,
            "spec.address",
            "must be an IPv4 or IPv6 address, got \"example.com\""),
        inst(
            "address missing",
            "{'metadata':{'name':'web-1'},'spec':{'ports':{'http':8080}}}",
            422,
            "spec.address",
            "is required"),
        inst(
            "bad IPv6 address",
            "{'metadata':{'name':'web-1'},'spec':{'address':'2001:db8::g1','ports':{'http':8080}}}",
            422,
            "spec.address",
            "got \"2001:db8::g1\""),
        inst(
            "weight 0",
            "{'metadata':{'name':'web-1'},'spec':{" + ADDRESS + ",'weight':0}}",
            422,
            "spec.weight",
            "must be 1..1000, got 0"),
        inst(
            "weight 1001",
            "{'metadata':{'name':'web-1'},'spec':{" + ADDRESS + ",'weight':1001}}",
            422,
            "spec.weight",
            "must be 1..1000, got 1001"),
        inst(
            "ttl 0s",
            "{'metadata':{'name':'web-1'},'spec':{" + ADDRESS + ",'ttl':'0s'}}",
            422,
            "spec.ttl",
            "must be between 1s and 24h, got 0s"),
        inst(
            "ttl over a day",
            "{'metadata':{'name':'web-1'},'spec':{" + ADDRESS + ",'ttl':'25h'}}",
            422,
            "spec.ttl",
            "must be between 1s and 24h, got 25h"),
        inst(
            "instance without ports",
            "{'metadata':{'name':'web-1'},'spec':{'address':'10.0.0.1'}}",
            422,
            "spec.ports",
            "at least one port is required"),
        inst(
            "instance port 0",
            "{'metadata':{'name':'web-1'},'spec':{'address':'10.0.0.1','ports':{'http':0}}}",
            422,
            "spec.ports[http]",
            "must be 1..65535, got 0"),
        inst(
            "instance port name with '--'",
            "{'metadata':{'name':'web-1'},'spec':{'address':'10.0.0.1','ports':{'my--port':80}}}",
            422,
            "spec.ports[my--port]",
            "name must be an IANA service name"),
        inst(
            "hostname with a dot",
            "{'metadata':{'name':'web-1'},'spec':{" + ADDRESS + ",'hostname':'web.1'}}",
            422,
            "spec.hostname",
            "must be a DNS-1123 label"),
        inst(
            "healthCheck naming no port of the instance",
            "{'metadata':{'name':'web-1'},'spec':{"
                + ADDRESS
                + ",'healthCheck':{'type':'tcp','port':'admin'}}}",
            422,
            "spec.healthCheck.port",
            "\"admin\" is not one of http"),
        inst(
            "instance name with capitals",
            "{'metadata':{'name':'Web-1'},'spec':{" + ADDRESS + "}}",
            422,
            "metadata.name",
            "must be a DNS-1123 subdomain"),

        // Other kinds.
        new Row(
            "node address that is a hostname",
            JSON,
            Kind.NODE,
            j("{'metadata':{'name':'node-a'},'spec':{'addresses':['10.0.0.7','node-a.local']}}"),
            422,
            "spec.addresses[1]",
            "must be an IPv4 or IPv6 address"),
        new Row(
            "namespace name with a dot",
            JSON,
            Kind.NAMESPACE,
            j("{'metadata':{'name':'shop.eu'}}"),
            422,
            "metadata.name",
            "must be a DNS-1123 label"),
        new Row(
            "endpoint port 0",
            JSON,
            Kind.ENDPOINTS,
            j(
                "{'metadata':{'name':'web'},'endpoints':[{'address':'10.0.0.1','ports':[{'name':'http','port':0}]}]}"),
            422,
            "endpoints[0].ports[0].port",
            "must be 1..65535, got 0"),
        new Row(
            "endpoint address that is a hostname",
            JSON,
            Kind.ENDPOINTS,
            j("{'metadata':{'name':'web'},'endpoints':[{'address':'web-1.local'}]}"),
            422,
            "endpoints[0].address",
            "must be an IPv4 or IPv6 address"));
  }

  /** What the registry answers: the codec's 400 errors, else the validator's (422 when any). */
  static Answer answer(Row row) {
    try {
      List<Resource> decoded =
          row.format().equals(MANIFEST)
              ? Codec.decodeAll(row.body().getBytes(UTF_8))
              : List.of(Codec.decode(row.body().getBytes(UTF_8), row.format(), row.kind()));
      List<FieldError> errors = new ArrayList<>();
      for (Resource r : decoded) {
        errors.addAll(Validator.validate(r));
      }
      return new Answer(errors.isEmpty() ? 200 : 422, errors);
    } catch (InvalidResourceException e) {
      return new Answer(e.code(), e.errors());
    }
  }

  record Answer(int code, List<FieldError> errors) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void malformedInputIsRefusedNamingTheFieldAndTheProblem(Row row) {
    Answer answer = answer(row);
    assertThat(answer.code()).as("status").isEqualTo(row.code());
    assertThat(answer.errors())
        .as("errors")
        .anySatisfy(
            e -> {
              assertThat(e.field()).isEqualTo(row.field());
              assertThat(e.message()).contains(row.says());
            });
    for (FieldError e : answer.errors()) {
      assertThat(e.message())
          .hasSizeLessThan(200)
          .doesNotContainIgnoringCase("jackson")
          .doesNotContain("com.fasterxml", "Exception", "`", "java.");
    }
  }

  @Test
  void theTableHoldsAtLeastThirtyFiveRowsEachRefusedForItsOwnReason() {
    List<Row> rows = rows().toList();
    assertThat(rows).extracting(Row::what).doesNotHaveDuplicates();
    List<FieldError> firstErrors =
        rows.stream().map(r -> answer(r).errors().get(0)).distinct().toList();
    assertThat(firstErrors).hasSizeGreaterThanOrEqualTo(35);
  }

  @Test
  void theSameShapesWithValidValuesAreAccepted() {
    // Guards the table: its rows fail for the reason they name, not for something else.
    List<Row> valid =
        List.of(
            svc(
                "service",
                "{'metadata':{'name':'web','labels':{'app':'web','example.com/tier':''}},"
                    + "'spec':{'selector':{'app':'web'},'ports':[{'name':'http','port':80,'targetPort':'http','appProtocol':'kubernetes.io/h2c'},"
                    + "{'name':'grpc','port':9090,'targetPort':9090}],'clusterIP':'fd00::a',"
                    + "'loadBalancing':{'policy':'maglev','hashOn':'client_ip'},'healthCheck':{'type':'http','interval':'5s','timeout':'5s'}}}",
                200,
                "",
                ""),
            svc(
                "node port service",
                "{'metadata':{'name':'web'},'spec':{'type':'NodePort','ports':[{'port':80,'nodePort':30080}]}}",
                200,
                "",
                ""),
            svc(
                "external name",
                "{'metadata':{'name':'db'},'spec':{'type':'ExternalName','externalName':'db.example.com.'}}",
                200,
                "",
                ""),
            svc(
                "headless",
                "{'metadata':{'name':'db'},'spec':{'clusterIP':'None','ports':[{'port':5432}]}}",
                200,
                "",
                ""),
            inst(
                "instance",
                "{'metadata':{'name':'web-1.shop'},'spec':{'address':'::ffff:10.0.0.1','ports':{'http':8080,'admin':9090},"
                    + "'weight':1000,'ttl':'24h','hostname':'web-1','healthCheck':{'type':'tcp','port':'admin'}}}",
                200,
                "",
                ""),
            new Row(
                "node",
                JSON,
                Kind.NODE,
                j(
                    "{'metadata':{'name':'node-a'},'spec':{'addresses':['10.0.0.7','fe80::1'],'ttl':'1s'}}"),
                200,
                "",
                ""),
            new Row(
                "manifest",
                MANIFEST,
                null,
                "---\n"
                    + "kind: Namespace\n"
                    + "metadata: {name: shop}\n"
                    + "---\n"
                    + "---\n"
                    + "kind: Service\n"
                    + "metadata: {name: web, namespace: shop}\n"
                    + "spec:\n"
                    + "  ports:\n"
                    + "  - port: 80\n",
                200,
                "",
                ""));
    for (Row row : valid) {
      assertThat(answer(row)).as(row.what()).isEqualTo(new Answer(200, List.of()));
    }
  }
}
