package io.meridian.registry.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GrpcHealthMessagesTest {

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @Test
  void requestForAServiceIsTagLengthAndUtf8InAFrame() {
    assertThat(GrpcHealthMessages.request("web"))
        .containsExactly(bytes(0, 0, 0, 0, 5, 0x0A, 3, 'w', 'e', 'b'));
  }

  @Test
  void requestForTheWholeServerIsAnEmptyMessage() {
    assertThat(GrpcHealthMessages.request("")).containsExactly(bytes(0, 0, 0, 0, 0));
  }

  @Test
  void longServiceNamesGetAMultiByteVarintLength() {
    byte[] framed = GrpcHealthMessages.request("s".repeat(300));
    assertThat(framed).startsWith(bytes(0, 0, 0, 0x01, 0x2F, 0x0A, 0xAC, 0x02));
    assertThat(framed).hasSize(5 + 3 + 300);
  }

  @Test
  void decodesTheServingStatus() {
    byte[] body = GrpcHealthMessages.frame(bytes(0x08, 0x01));
    assertThat(GrpcHealthMessages.responseStatus(body, body.length)).isEqualTo(1);
  }

  @Test
  void anEmptyResponseMeansUnknown() {
    byte[] body = GrpcHealthMessages.frame(new byte[0]);
    assertThat(GrpcHealthMessages.responseStatus(body, body.length)).isZero();
  }

  @Test
  void skipsFieldsItDoesNotKnowOfEveryWireType() {
    byte[] message =
        bytes(
            0x10, 0x96, 0x01, // field 2 varint 150
            0x19, 1, 2, 3, 4, 5, 6, 7, 8, // field 3 fixed64
            0x22, 0x02, 'h', 'i', // field 4 bytes
            0x2D, 1, 2, 3, 4, // field 5 fixed32
            0x08, 0x02, // status NOT_SERVING
            0xF8, 0x07, 0x05); // field 127 varint
    byte[] body = GrpcHealthMessages.frame(message);
    assertThat(GrpcHealthMessages.responseStatus(body, body.length)).isEqualTo(2);
  }

  @Test
  void theLastStatusFieldWins() {
    byte[] body = GrpcHealthMessages.frame(bytes(0x08, 0x01, 0x08, 0x03));
    assertThat(GrpcHealthMessages.responseStatus(body, body.length)).isEqualTo(3);
  }

  @Test
  void refusesTruncatedAndCompressedMessages() {
    assertThatThrownBy(() -> GrpcHealthMessages.responseStatus(bytes(0, 0, 0), 3))
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> GrpcHealthMessages.responseStatus(bytes(0, 0, 0, 0, 4, 0x08), 6))
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> GrpcHealthMessages.responseStatus(bytes(1, 0, 0, 0, 0), 5))
        .hasMessageContaining("compressed");
    byte[] badLength = GrpcHealthMessages.frame(bytes(0x22, 0x09, 'x'));
    assertThatThrownBy(() -> GrpcHealthMessages.responseStatus(badLength, badLength.length))
        .hasMessageContaining("truncated");
    byte[] group = GrpcHealthMessages.frame(bytes(0x0B));
    assertThatThrownBy(() -> GrpcHealthMessages.responseStatus(group, group.length))
        .hasMessageContaining("wire type 3");
  }

  @Test
  void namesStatusesAndCodesAndKeepsUnknownOnesAsNumbers() {
    assertThat(GrpcHealthMessages.statusName(0)).isEqualTo("UNKNOWN");
    assertThat(GrpcHealthMessages.statusName(1)).isEqualTo("SERVING");
    assertThat(GrpcHealthMessages.statusName(2)).isEqualTo("NOT_SERVING");
    assertThat(GrpcHealthMessages.statusName(3)).isEqualTo("SERVICE_UNKNOWN");
    assertThat(GrpcHealthMessages.statusName(9)).isEqualTo("status 9");
    assertThat(GrpcHealthMessages.codeName(5)).isEqualTo("NOT_FOUND");
    assertThat(GrpcHealthMessages.codeName(12)).isEqualTo("UNIMPLEMENTED");
    assertThat(GrpcHealthMessages.codeName(99)).isEqualTo("code 99");
  }

  @Test
  void decodesPercentEncodedGrpcMessages() {
    assertThat(GrpcHealthMessages.decodeMessage("unknown%20service%3A%20%C3%A9"))
        .isEqualTo("unknown service: é");
    assertThat(GrpcHealthMessages.decodeMessage("100%")).isEqualTo("100%");
  }
}
