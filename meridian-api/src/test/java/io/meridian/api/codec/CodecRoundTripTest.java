package io.meridian.api.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.api.ApiError;
import io.meridian.api.Conditions;
import io.meridian.api.FieldError;
import io.meridian.api.Instance;
import io.meridian.api.IntOrString;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Resource;
import io.meridian.api.Samples;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceStatus;
import io.meridian.api.ServiceType;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecRoundTripTest {

  static Stream<Resource> samples() {
    return Samples.all().stream();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everyKindSurvivesAJsonRoundTrip(Resource sample) throws Exception {
    byte[] json = Codec.toJson(sample);
    assertThat(Codec.decode(json, "application/json", sample.kindInfo())).isEqualTo(sample);
    assertThat(Codec.fromJson(json, sample.getClass())).isEqualTo(sample);
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everyKindSurvivesAYamlRoundTrip(Resource sample) throws Exception {
    String yaml = Codec.toYaml(sample);
    assertThat(yaml).doesNotStartWith("---").startsWith("apiVersion: ");
    assertThat(Codec.decode(yaml.getBytes(UTF_8), "application/yaml", sample.kindInfo()))
        .isEqualTo(sample);
  }

  @Test
  void aYamlStreamOfEveryKindDecodesToTheSameResourcesInOrder() throws Exception {
    String stream = Samples.all().stream().map(Codec::toYaml).collect(Collectors.joining("---\n"));
    assertThat(Codec.decodeAll(stream.getBytes(UTF_8))).isEqualTo(Samples.all());
  }

  @Test
  void writesFieldsInRecordOrderAndMapKeysSorted() {
    Service s =
        new Service(
            ObjectMeta.of("default", "web", Map.of("tier", "fe", "app", "web")),
            ServiceSpec.of(
                ServiceType.ClusterIP, Map.of("app", "web"), List.of(ServicePort.tcp("http", 80))));
    assertThat(new String(Codec.toJson(s), UTF_8))
        .isEqualTo(
            "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
                + "\"labels\":{\"app\":\"web\",\"tier\":\"fe\"}},\"spec\":{\"type\":\"ClusterIP\","
                + "\"selector\":{\"app\":\"web\"},\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":80}]}}");
    assertThat(Codec.toYaml(s))
        .isEqualTo(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: default
              labels:
                app: web
                tier: fe
            spec:
              type: ClusterIP
              selector:
                app: web
              ports:
              - name: http
                protocol: TCP
                port: 80
            """);
  }

  @Test
  void omitsEmptyFieldsAndObjectsWhoseFieldsAreAllEmpty() {
    Service s =
        new Service(
                ObjectMeta.of("default", "web"),
                ServiceSpec.of(null, null, List.of(ServicePort.tcp(null, 80))))
            .withStatus(new ServiceStatus(new ServiceStatus.LoadBalancerStatus(List.of())));
    assertThat(new String(Codec.toJson(s), UTF_8))
        .isEqualTo(
            "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
                + "\"spec\":{\"ports\":[{\"protocol\":\"TCP\",\"port\":80}]}}");
  }

  @Test
  void keepsConditionsWhateverTheirValues() {
    Instance i =
        Samples.instance().withStatus(io.meridian.api.InstanceStatus.of(Conditions.NOT_READY));
    assertThat(new String(Codec.toJson(i), UTF_8))
        .contains(
            "\"status\":{\"conditions\":{\"ready\":false,\"serving\":false,\"terminating\":false}}");
  }

  @Test
  void fillsDefaultsForFieldsAManifestLeavesOut() throws Exception {
    Service s =
        (Service)
            Codec.decode(
                """
                metadata: {name: web}
                spec:
                  ports: [{port: 80}]
                """
                    .getBytes(UTF_8),
                "application/yaml",
                Kind.SERVICE);
    assertThat(s.apiVersion()).isEqualTo("v1");
    assertThat(s.kind()).isEqualTo("Service");
    assertThat(s.status()).isEqualTo(ServiceStatus.EMPTY);
    assertThat(s.spec().effectiveType()).isEqualTo(ServiceType.ClusterIP);
    assertThat(s.spec().effectiveSessionAffinity()).isEqualTo(ServiceSpec.SessionAffinity.None);
    assertThat(s.spec().selector()).isNull();
    assertThat(s.spec().clusterIPs()).isEmpty();
    ServicePort port = s.spec().ports().get(0);
    assertThat(port.effectiveProtocol()).isEqualTo(ServicePort.Protocol.TCP);
    assertThat(port.effectiveTargetPort()).isEqualTo(IntOrString.of(80));
    assertThat(s.metadata().labels()).isEmpty();

    String minimal =
        "{\"metadata\":{\"name\":\"web-1\"},\"spec\":{\"address\":\"10.0.0.1\","
            + "\"ports\":{\"http\":8080},\"healthCheck\":{\"type\":\"http\"}}}";
    Instance i = (Instance) Codec.decode(minimal.getBytes(UTF_8), null, Kind.INSTANCE);
    assertThat(i.apiVersion()).isEqualTo("meridian.io/v1");
    assertThat(i.spec().effectiveWeight()).isEqualTo(1);
    assertThat(i.spec().ephemeral()).isFalse();
    assertThat(i.conditions()).isEqualTo(Conditions.READY);
    assertThat(i.spec().healthCheck().effectivePath()).isEqualTo("/healthz");
    assertThat(i.spec().healthCheck().effectiveInterval()).hasSeconds(5);
    assertThat(i.spec().healthCheck().effectiveTimeout()).hasSeconds(1);
    assertThat(i.spec().healthCheck().effectiveRise()).isEqualTo(2);
    assertThat(i.spec().healthCheck().effectiveFall()).isEqualTo(3);
  }

  @Test
  void readsTargetPortAsANumberOrAName() throws Exception {
    Service s =
        (Service)
            Codec.decode(
                "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080},{\"port\":81,\"targetPort\":\"http\"}]}}"
                    .getBytes(UTF_8),
                null,
                Kind.SERVICE);
    assertThat(s.spec().ports())
        .extracting(ServicePort::targetPort)
        .containsExactly(IntOrString.of(8080), IntOrString.of("http"));
  }

  @Test
  void writesAnApiErrorWithItsDetails() {
    ApiError e =
        new ApiError(
            422,
            "Invalid",
            "Service \"web\" is invalid",
            List.of(new FieldError("spec.ports[0].port", "must be 1..65535, got 70000")));
    assertThat(new String(Codec.toJson(e), UTF_8))
        .isEqualTo(
            "{\"code\":422,\"reason\":\"Invalid\",\"message\":\"Service \\\"web\\\" is"
                + " invalid\",\"details\":[{\"field\":\"spec.ports[0].port\",\"message\":\"must be"
                + " 1..65535, got 70000\"}]}");
    assertThat(Codec.fromJson(Codec.toJson(e), ApiError.class)).isEqualTo(e);
  }

  @Test
  void fromJsonSkipsFieldsAnotherVersionWroteButRefusesWhatIsNotJson() {
    Service s =
        Codec.fromJson(
            "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"ports\":[{\"port\":80}],\"futureField\":1}}"
                .getBytes(UTF_8),
            Service.class);
    assertThat(s.metadata().name()).isEqualTo("web");
    assertThatThrownBy(() -> Codec.fromJson("{\"metadata\":".getBytes(UTF_8), Service.class))
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void theSharedMappersAreStrictForOtherCallersToo() {
    assertThatThrownBy(() -> Codec.json().readValue("{\"port\":\"80\"}", ServicePort.class))
        .hasMessageContaining("Cannot coerce");
    assertThatThrownBy(
            () -> Codec.json().readValue("{\"port\":80, \"port\":81}", ServicePort.class))
        .hasMessageContaining("Duplicate field");
    assertThatThrownBy(() -> Codec.yaml().readValue("port: 80\nprot: TCP\n", ServicePort.class))
        .hasMessageContaining("Unrecognized field");
    assertThatThrownBy(() -> Codec.json().readValue("{\"port\":80} {}", ServicePort.class))
        .hasMessageContaining("Trailing token");
  }

  @Property(tries = 300)
  void anyLabelValueComesBackUnchangedFromYamlAndJson(@ForAll("text") String value)
      throws Exception {
    Service s =
        new Service(
            ObjectMeta.of("default", "web", Map.of("v", value)),
            ServiceSpec.of(null, Map.of("k", value), List.of(ServicePort.tcp(null, 80))));
    Service fromYaml =
        (Service) Codec.decode(Codec.toYaml(s).getBytes(UTF_8), "text/yaml", Kind.SERVICE);
    Service fromJson = (Service) Codec.decode(Codec.toJson(s), "application/json", Kind.SERVICE);
    assertThat(fromYaml.metadata().labels()).containsEntry("v", value);
    assertThat(fromYaml.spec().selector()).containsEntry("k", value);
    assertThat(fromJson).isEqualTo(s);
  }

  @Provide
  Arbitrary<String> text() {
    // Strings YAML readers are known to reinterpret, mixed with arbitrary valid Unicode text.
    Arbitrary<String> tricky =
        Arbitraries.of(
            "80",
            "080",
            "1.0",
            "1e3",
            "0x1F",
            "0o17",
            "1_000",
            "1:30",
            ".inf",
            ".NaN",
            "-.5",
            "+1",
            "2024-01-01",
            "2024-01-01T00:00:00Z",
            "true",
            "False",
            "yes",
            "NO",
            "on",
            "off",
            "y",
            "n",
            "null",
            "Null",
            "~",
            "",
            " ",
            " x",
            "x ",
            "a: b",
            "a #b",
            "#x",
            "- x",
            "-",
            "---",
            "...",
            "[a]",
            "{a}",
            "*a",
            "&a",
            "!a",
            "%a",
            "@a",
            "`a",
            "|",
            ">",
            "?",
            "? x",
            "'",
            "\"",
            "a\nb",
            "a\n",
            "\n",
            "\t",
            "a\tb",
            "\r",
            "\u0085",
            "\u2028",
            "\ufeff",
            "\u0000",
            "\u007f",
            "é",
            "日本",
            "\uD83D\uDE00",
            "=",
            "<<");
    Arbitrary<String> any =
        Arbitraries.strings().all().ofMaxLength(30).filter(CodecRoundTripTest::wellFormedUtf16);
    return Arbitraries.oneOf(
        tricky, any, Arbitraries.strings().withChars(" :#-'\"0123456789.eE+\n\t").ofMaxLength(8));
  }

  private static boolean wellFormedUtf16(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
