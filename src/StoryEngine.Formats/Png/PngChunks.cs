using System.Buffers.Binary;
using System.Text;
using StoryEngine.Core.Errors;

namespace StoryEngine.Formats.Png;

/// <summary>One chunk of a PNG file: where it starts (its length field) and its data.</summary>
public sealed record PngChunk(string Type, int Start, int DataStart, int Length)
{
    /// <summary>Bytes the whole chunk takes: length, type, data and CRC.</summary>
    public int Size => Length + 12;
}

/// <summary>
/// Reads and writes the chunk structure of PNG files (RFC 2083 §3) by hand: no image library restores here, and
/// card data is just text chunks next to the image, which we never need to decode. The whole file is in memory
/// (uploads are bounded), so chunks of several MB cost one pass.
/// </summary>
public static class PngChunks
{
    public static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    public static bool HasSignature(ReadOnlySpan<byte> file) => file.StartsWith(Signature);

    /// <summary>
    /// Every chunk up to and including IEND, each checked against its CRC. A file that stops early, a chunk whose
    /// length runs past the end, or a bad CRC is refused: a broken image would be stored and handed back later.
    /// </summary>
    /// <exception cref="InvalidFileException">The file is not a whole PNG.</exception>
    public static IReadOnlyList<PngChunk> Read(ReadOnlySpan<byte> file, Func<string, InvalidFileException> invalid)
    {
        if (!HasSignature(file))
        {
            throw invalid("The file is not a PNG image (its first 8 bytes are not the PNG signature).");
        }
        var chunks = new List<PngChunk>();
        var at = Signature.Length;
        while (true)
        {
            if (file.Length - at < 12)
            {
                throw invalid(
                    $"The PNG is truncated: it ends at byte {file.Length} inside a chunk header, before " + "IEND."
                );
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(file[at..]);
            var type = file.Slice(at + 4, 4);
            if (!IsChunkType(type))
            {
                throw invalid($"The PNG is damaged: byte {at + 4} does not start a chunk type.");
            }
            var typeName = Encoding.ASCII.GetString(type);
            if (length > int.MaxValue || length > (uint)(file.Length - at - 12))
            {
                throw invalid(
                    $"The PNG is truncated: its {typeName} chunk at byte {at} needs {length} bytes of "
                        + "data, but the file ends first."
                );
            }
            var chunk = new PngChunk(typeName, at, at + 8, (int)length);
            var stored = BinaryPrimitives.ReadUInt32BigEndian(file[(chunk.DataStart + chunk.Length)..]);
            if (stored != Crc32.Compute(type, file.Slice(chunk.DataStart, chunk.Length)))
            {
                throw invalid(
                    $"The PNG is damaged: the CRC of its {typeName} chunk at byte {at} does not match its "
                        + "contents."
                );
            }
            if (chunks.Count == 0 && typeName != "IHDR")
            {
                throw invalid("The PNG is damaged: its first chunk is not IHDR.");
            }
            chunks.Add(chunk);
            at += chunk.Size;
            if (typeName == "IEND")
            {
                return chunks;
            }
        }
    }

    /// <summary>A whole chunk, ready to write: length, type, data, CRC.</summary>
    public static byte[] Build(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[data.Length + 12];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.Compute(chunk.AsSpan(4, 4), data));
        return chunk;
    }

    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (b is not (>= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z'))
            {
                return false;
            }
        }
        return true;
    }
}
