using System.Text;

namespace StoryEngine.Tests.Telemetry;

/// <summary>A span as exported: ids in hex, its name, its attributes and the trace ids it links to.</summary>
public sealed record OtlpSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<string> LinkedTraceIds
);

/// <summary>
/// Decodes an OTLP ExportTraceServiceRequest from the protobuf wire format by hand (the OpenTelemetry.Proto types
/// are not in our NuGet copy): resource_spans(1) → scope_spans(2) → spans(2); a span's trace_id(1), span_id(2),
/// parent_span_id(4), name(5), attributes(9: key 1, value 2), links(13: trace_id 1).
/// </summary>
public static class OtlpSpans
{
    public static IEnumerable<OtlpSpan> Decode(byte[] request)
    {
        foreach (var resourceSpans in Messages(request, 1))
        {
            foreach (var scopeSpans in Messages(resourceSpans, 2))
            {
                foreach (var span in Messages(scopeSpans, 2))
                {
                    yield return Span(span);
                }
            }
        }
    }

    private static OtlpSpan Span(ReadOnlyMemory<byte> span)
    {
        string traceId = "",
            spanId = "",
            parent = "",
            name = "";
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var links = new List<string>();
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1:
                    traceId = Convert.ToHexStringLower(value.Span);
                    break;
                case 2:
                    spanId = Convert.ToHexStringLower(value.Span);
                    break;
                case 4:
                    parent = Convert.ToHexStringLower(value.Span);
                    break;
                case 5:
                    name = Encoding.UTF8.GetString(value.Span);
                    break;
                case 9:
                    var key = Messages(value, 1).Select(k => Encoding.UTF8.GetString(k.Span)).Single();
                    attributes[key] = Messages(value, 2).Select(AnyValue).SingleOrDefault() ?? "";
                    break;
                case 13:
                    links.Add(Convert.ToHexStringLower(Messages(value, 1).Single().Span));
                    break;
            }
        }
        return new OtlpSpan(traceId, spanId, parent, name, attributes, links);
    }

    // AnyValue: string_value(1) as text, int_value(3) as a number, anything else (arrays, …) as its raw UTF-8.
    private static string AnyValue(ReadOnlyMemory<byte> value)
    {
        var text = new StringBuilder();
        foreach (var (field, bytes) in Fields(value))
        {
            text.Append(
                field == 3
                    ? BitConverter.ToInt64(bytes.Span).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : Encoding.UTF8.GetString(bytes.Span)
            );
        }
        return text.ToString();
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Messages(ReadOnlyMemory<byte> message, int wanted) =>
        Fields(message).Where(f => f.Field == wanted).Select(f => f.Value);

    /// <summary>Each field of a message; varints come back as 8 little-endian bytes, fixed ones as they are.</summary>
    private static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>)>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message.Span, ref at);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    fields.Add((field, BitConverter.GetBytes(Varint(message.Span, ref at))));
                    break;
                case 1:
                    fields.Add((field, message.Slice(at, 8)));
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message.Span, ref at);
                    fields.Add((field, message.Slice(at, length)));
                    at += length;
                    break;
                case 5:
                    fields.Add((field, message.Slice(at, 4)));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unexpected protobuf wire type in field {field}.");
            }
        }
        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
