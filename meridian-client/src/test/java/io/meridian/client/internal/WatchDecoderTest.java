package io.meridian.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.api.Endpoints;
import io.meridian.api.Kind;
import io.meridian.api.Service;
import org.junit.jupiter.api.Test;

class WatchDecoderTest {

  private final WatchDecoder services =
      new WatchDecoder(WatchDecoder.lenientMapper(), Kind.SERVICE);
  private final WatchDecoder endpoints =
      new WatchDecoder(WatchDecoder.lenientMapper(), Kind.ENDPOINTS);

  private static byte[] json(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void decodesAListWithItsRevision() throws Exception {
    WatchDecoder.Listing l =
        services.decodeList(
            json(
                """
                {"apiVersion":"v1","kind":"ServiceList","metadata":{"resourceVersion":"42"},
                 "items":[{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","resourceVersion":"7"},
                           "spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":"http"}]}}]}
                """));

    assertThat(l.revision()).isEqualTo(42);
    assertThat(l.items())
        .singleElement()
        .isInstanceOfSatisfying(
            Service.class,
            s -> {
              assertThat(s.metadata().name()).isEqualTo("web");
              assertThat(s.spec().ports().get(0).targetPort().name()).isEqualTo("http");
            });
  }

  @Test
  void anEmptyListHasNoItems() throws Exception {
    assertThat(
            services
                .decodeList(json("{\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}"))
                .items())
        .isEmpty();
    assertThat(services.decodeList(json("{\"metadata\":{\"resourceVersion\":\"1\"}}")).items())
        .isEmpty();
  }

  @Test
  void decodesChangesOfTheStreamsKind() throws Exception {
    WatchEvent added =
        endpoints.decodeLine(
            json(
                """
                {"type":"ADDED","object":{"kind":"Endpoints","metadata":{"name":"web","namespace":"default","resourceVersion":"9"},
                 "endpoints":[{"address":"127.0.0.1","ports":[{"name":"http","port":9001}],"conditions":{"ready":true,"serving":true,"terminating":false}}]}}\
                """));
    WatchEvent deleted =
        endpoints.decodeLine(
            json(
                "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"}}}"));

    assertThat(added)
        .isInstanceOfSatisfying(
            WatchEvent.Change.class,
            c -> {
              assertThat(c.deleted()).isFalse();
              assertThat(((Endpoints) c.object()).endpoints().get(0).port("http")).isEqualTo(9001);
              assertThat(c.object().metadata().revision()).isEqualTo(9);
            });
    assertThat(deleted)
        .isInstanceOfSatisfying(WatchEvent.Change.class, c -> assertThat(c.deleted()).isTrue());
  }

  @Test
  void decodesBookmarksAndErrors() throws Exception {
    assertThat(
            services.decodeLine(
                json(
                    "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"77\"}}}")))
        .isEqualTo(new WatchEvent.Bookmark(77));
    assertThat(
            services.decodeLine(
                json(
                    "{\"type\":\"ERROR\",\"object\":{\"code\":410,\"reason\":\"Gone\",\"message\":\"too"
                        + " old\"}}")))
        .isInstanceOfSatisfying(WatchEvent.Failure.class, f -> assertThat(f.gone()).isTrue());
  }

  @Test
  void ignoresFieldsItDoesNotKnow() throws Exception {
    assertThat(
            services.decodeLine(
                json(
                    "{\"type\":\"ADDED\",\"future\":1,\"object\":{\"metadata\":{\"name\":\"web\",\"shiny\":true},\"spec\":{\"newField\":{}}}}")))
        .isInstanceOf(WatchEvent.Change.class);
  }

  @Test
  void anUnknownEventTypeIsDataNotAnError() throws Exception {
    assertThat(services.decodeLine(json("{\"type\":\"SYNCED\",\"object\":{}}")))
        .isEqualTo(new WatchEvent.Unknown("SYNCED"));
  }

  @Test
  void refusesWhatItCannotRead() {
    for (String bad :
        new String[] {
          "not json",
          "[1,2]",
          "{\"object\":{}}",
          "{\"type\":\"ADDED\"}",
          "{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}",
          "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"x\"},\"spec\":{\"ports\":\"eighty\"}}}",
          "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"soon\"}}}"
        }) {
      assertThatThrownBy(() -> services.decodeLine(json(bad)))
          .as(bad)
          .isInstanceOf(WatchDecoder.MalformedException.class);
    }
  }

  @Test
  void anErrorBodyThatIsNoApiErrorKeepsTheStatus() {
    assertThat(services.decodeError(503, json("<html>busy</html>")).code()).isEqualTo(503);
    assertThat(
            services
                .decodeError(410, json("{\"code\":410,\"reason\":\"Gone\",\"message\":\"m\"}"))
                .reason())
        .isEqualTo("Gone");
  }
}
