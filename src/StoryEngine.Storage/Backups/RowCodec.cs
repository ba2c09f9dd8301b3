using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace StoryEngine.Storage.Backups;

/// <summary>
/// One row as one line of JSON: an array of null, integer, number, string, or <c>{"b":"base64"}</c> for bytes.
/// The same text both engines read and write is what makes a SQLite backup load into PostgreSQL.
/// </summary>
public static class RowCodec
{
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<object?> row)
    {
        writer.WriteStartArray();
        foreach (var value in row)
        {
            switch (value)
            {
                case null or DBNull:
                    writer.WriteNullValue();
                    break;
                case long l:
                    writer.WriteNumberValue(l);
                    break;
                case int i:
                    writer.WriteNumberValue(i);
                    break;
                case short s:
                    writer.WriteNumberValue(s);
                    break;
                case double d:
                    writer.WriteNumberValue(d);
                    break;
                case float f:
                    writer.WriteNumberValue(f);
                    break;
                case decimal m:
                    writer.WriteNumberValue(m);
                    break;
                case bool b:
                    writer.WriteNumberValue(b ? 1 : 0);
                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case byte[] bytes:
                    writer.WriteStartObject();
                    writer.WriteBase64String("b", bytes);
                    writer.WriteEndObject();
                    break;
                default:
                    writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
            }
        }
        writer.WriteEndArray();
    }

    public static object?[] Read(string line)
    {
        using var document = JsonDocument.Parse(line);
        var row = new object?[document.RootElement.GetArrayLength()];
        var i = 0;
        foreach (var value in document.RootElement.EnumerateArray())
        {
            row[i++] = value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Number => value.TryGetInt64(out var l) ? l : value.GetDouble(),
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Object => value.GetProperty("b").GetBytesFromBase64(),
                _ => throw new FormatException($"unexpected JSON {value.ValueKind} in a row"),
            };
        }
        return row;
    }

    /// <summary>128 bits of SHA-256 over the row's canonical JSON; see <see cref="TableDigest"/>.</summary>
    public static UInt128 Hash(IReadOnlyList<object?> row)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, row);
        }
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return new UInt128(BitConverter.ToUInt64(hash[..8]), BitConverter.ToUInt64(hash[8..16]));
    }
}

/// <summary>
/// Rows and a digest of a table's content that does not depend on row order (engines return rows in their own
/// order): the sum of the rows' hashes, which also counts a repeated row twice.
/// </summary>
public sealed class TableDigest
{
    private UInt128 _sum;

    public long Rows { get; private set; }

    public string Value => $"{Rows}:{_sum:x32}";

    public void Add(IReadOnlyList<object?> row)
    {
        _sum += RowCodec.Hash(row);
        Rows++;
    }
}
