using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StoryEngine.Core.Cluster;

namespace StoryEngine.Tests.Cluster;

/// <summary>The relay reads its messages straight from the bus's UTF-8 bytes (ADR 62): whatever the serializer wrote
/// reads back the same, a newer node's fields are skipped, and anything else is refused, not misread.</summary>
public sealed class RelayMessageTests
{
    private static readonly JsonSerializerOptions Writer = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [Fact]
    public void what_the_serializer_writes_reads_back_field_for_field()
    {
        var sent = new RelayMessage
        {
            Kind = "tokens",
            Adventure = "adv_01",
            Turn = "turn_02",
            Alternative = 3,
            Index = 41,
            Tokens = ["Ünïcødé ✓", " \"quoted\"\n", "", "\u0001\u001e</script>", "😀"],
            Code = "interrupted",
            Message = "gone\t",
            ReplyTo = "storyengine_narration_0123456789abcdef",
        };

        var read = RelayMessage.Read(JsonSerializer.SerializeToUtf8Bytes(sent, Writer));

        Assert.NotNull(read);
        Assert.Equivalent(sent, read, strict: true);
    }

    [Theory]
    [InlineData("""{"k":"want","a":"x","t":"y","n":0,"i":7,"future":{"nested":[1,{"k":"stop"}]},"r":"z"}""", "want", 7)]
    [InlineData("""{"k":"ended","a":"x","t":"y","n":0,"i":0,"later":"stop"}""", "ended", 0)]
    [InlineData("""{"\u006b":"stop","a":"x"}""", "stop", 0)]
    public void fields_a_newer_node_adds_are_skipped(string json, string kind, int index)
    {
        var read = RelayMessage.Read(Encoding.UTF8.GetBytes(json));

        Assert.NotNull(read);
        Assert.Equal(kind, read.Kind);
        Assert.Equal("x", read.Adventure);
        Assert.Equal(index, read.Index);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"tokens\"")]
    public void what_is_not_an_object_is_no_message(string json) =>
        Assert.Null(RelayMessage.Read(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("""{"k":"tokens","i":"seven"}""")]
    [InlineData("""{"k":"tokens","x":["a",""")]
    [InlineData("""{"k":"tokens","x":[1]}""")]
    [InlineData("")]
    public void malformed_messages_are_refused(string json) =>
        Assert.ThrowsAny<Exception>(() => RelayMessage.Read(Encoding.UTF8.GetBytes(json)));
}
