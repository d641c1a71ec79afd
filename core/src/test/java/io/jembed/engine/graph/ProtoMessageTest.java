package io.jembed.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jembed.LoadOptions;
import io.jembed.SentenceTransformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ProtoMessageTest {

  @Test
  void aRealOnnxModelComesBackByteForByte() throws Exception {
    Path onnx;
    try (SentenceTransformer model =
        SentenceTransformer.load(
            "all-MiniLM-L6-v2-int8",
            LoadOptions.builder().property("graphFusion", "false").build())) {
      onnx = model.directory().resolve("onnx/model.onnx");
    }
    byte[] bytes = Files.readAllBytes(onnx);
    ProtoMessage model = ProtoMessage.parse(bytes);
    assertThat(model.toByteArray()).isEqualTo(bytes);
    // ModelProto.graph (7) holds the nodes (GraphProto.node, 1) with their op types (4)
    ProtoMessage graph = model.messages(7).get(0);
    assertThat(graph.messages(1)).extracting(n -> n.string(4)).contains("MatMulInteger", "Softmax");
  }

  @Property
  void anyMessageSurvivesARoundTrip(@ForAll("messages") ProtoMessage message) {
    byte[] bytes = message.toByteArray();
    ProtoMessage parsed = ProtoMessage.parse(bytes);
    assertThat(parsed.toByteArray()).isEqualTo(bytes);
    assertThat(parsed.fields()).hasSameSizeAs(message.fields());
    for (int i = 0; i < parsed.fields().size(); i++) {
      ProtoMessage.Field a = message.fields().get(i);
      ProtoMessage.Field b = parsed.fields().get(i);
      assertThat(b.number()).isEqualTo(a.number());
      assertThat(b.wireType()).isEqualTo(a.wireType());
      assertThat(b.value()).isEqualTo(a.value());
      assertThat(b.bytes()).isEqualTo(a.bytes());
    }
  }

  @Provide
  Arbitrary<ProtoMessage> messages() {
    Arbitrary<Integer> numbers = Arbitraries.integers().between(1, 536_870_911);
    Arbitrary<ProtoMessage.Field> varints =
        Combinators.combine(numbers, Arbitraries.longs())
            .as((n, v) -> new ProtoMessage.Field(n, ProtoMessage.VARINT, v, null));
    Arbitrary<ProtoMessage.Field> fixed32 =
        Combinators.combine(numbers, Arbitraries.longs().between(0, 0xffffffffL))
            .as((n, v) -> new ProtoMessage.Field(n, ProtoMessage.FIXED32, v, null));
    Arbitrary<ProtoMessage.Field> fixed64 =
        Combinators.combine(numbers, Arbitraries.longs())
            .as((n, v) -> new ProtoMessage.Field(n, ProtoMessage.FIXED64, v, null));
    Arbitrary<ProtoMessage.Field> delimited =
        Combinators.combine(numbers, Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
            .as((n, v) -> new ProtoMessage.Field(n, ProtoMessage.LENGTH_DELIMITED, 0, v));
    return Arbitraries.oneOf(varints, fixed32, fixed64, delimited)
        .list()
        .ofMaxSize(20)
        .map(
            fields -> {
              ProtoMessage m = new ProtoMessage();
              m.fields().addAll(fields);
              return m;
            });
  }

  @Test
  void truncatedInputIsRefusedWithAReason() {
    byte[] whole = new ProtoMessage().addString(4, "Softmax").addVarint(3, 300).toByteArray();
    byte[] cut = java.util.Arrays.copyOf(whole, 5);
    assertThatThrownBy(() -> ProtoMessage.parse(cut))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> ProtoMessage.parse(new byte[] {0x0b}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wire type 3");
  }

  @Test
  void repeatedInt64sAreReadPackedOrNot() {
    ProtoMessage packed = new ProtoMessage().addBytes(8, new byte[] {0, 2, 1, 3});
    ProtoMessage plain =
        new ProtoMessage().addVarint(8, 0).addVarint(8, 2).addVarint(8, 1).addVarint(8, 3);
    assertThat(packed.int64s(8)).isEqualTo(List.of(0L, 2L, 1L, 3L));
    assertThat(plain.int64s(8)).isEqualTo(List.of(0L, 2L, 1L, 3L));
  }
}
