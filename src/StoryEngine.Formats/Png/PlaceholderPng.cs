using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace StoryEngine.Formats.Png;

/// <summary>
/// A small plain PNG for characters that have no picture of their own, so a PNG card can still be exported. Its
/// colour comes from the name, so the same character always gets the same one.
/// </summary>
public static class PlaceholderPng
{
    public const int Width = 200;
    public const int Height = 300;

    public static byte[] For(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        // Muted colours: each channel between 64 and 191.
        var rgb = new[] { (byte)(64 + hash[0] % 128), (byte)(64 + hash[1] % 128), (byte)(64 + hash[2] % 128) };

        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, Width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB

        var row = new byte[1 + Width * 3]; // filter type 0, then pixels
        for (var x = 0; x < Width; x++)
        {
            rgb.CopyTo(row, 1 + x * 3);
        }
        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < Height; y++)
            {
                zlib.Write(row);
            }
        }

        using var file = new MemoryStream();
        file.Write(PngChunks.Signature);
        file.Write(PngChunks.Build("IHDR", header));
        file.Write(PngChunks.Build("IDAT", pixels.ToArray()));
        file.Write(PngChunks.Build("IEND", []));
        return file.ToArray();
    }
}
