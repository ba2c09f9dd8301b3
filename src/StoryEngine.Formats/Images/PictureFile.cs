using SkiaSharp;
using StoryEngine.Core.Errors;

namespace StoryEngine.Formats.Images;

/// <summary>A picture as we keep it: re-encoded by us, never the bytes someone sent.</summary>
public sealed record Picture(string MediaType, byte[] Data, int Width, int Height);

/// <summary>
/// Pictures in (avatars, covers, a card's picture): decoded for real with SkiaSharp, whatever the client called the
/// file, shrunk so the longest side is at most the limit, and encoded again as WebP. Only pixels survive the trip:
/// metadata, text chunks, trailing data and anything else hostile a file carried are gone
/// (docs/adr/0038-pictures-in-the-database.md).
/// </summary>
public static class PictureFile
{
    public const string MediaType = "image/webp";

    /// <summary>The formats we decode, as people know them.</summary>
    public const string Accepted = "PNG, JPEG, WebP or GIF";

    /// <summary>More pixels than this are refused before they are decoded (a few bytes can claim a huge
    /// canvas).</summary>
    public const long MaxPixels = 50_000_000;

    private const int Quality = 85;

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];

    /// <exception cref="UnsupportedFormatException">The bytes are not a PNG, JPEG, WebP or GIF.</exception>
    /// <exception cref="InvalidFileException">They start like one but cannot be decoded, or claim too many
    /// pixels.</exception>
    public static Picture Normalize(ReadOnlySpan<byte> file, int maxSide)
    {
        using var bitmap = Decode(file);
        var (width, height) = Fit(bitmap.Width, bitmap.Height, maxSide);
        using var sized =
            width == bitmap.Width && height == bitmap.Height
                ? bitmap.Copy()
                : bitmap.Resize(
                    new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul),
                    new SKSamplingOptions(SKCubicResampler.Mitchell)
                );
        if (sized is null)
        {
            throw Broken("The picture could not be resized.");
        }
        using var image = SKImage.FromBitmap(sized);
        using var encoded = image.Encode(SKEncodedImageFormat.Webp, Quality);
        return new Picture(MediaType, encoded.ToArray(), width, height);
    }

    /// <summary>A picture we stored, as PNG (a PNG character card is drawn on one).</summary>
    public static byte[] ToPng(ReadOnlySpan<byte> picture)
    {
        using var bitmap = Decode(picture);
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }

    /// <summary>The size that fits in a <paramref name="maxSide"/> square, keeping the proportions; never
    /// larger.</summary>
    public static (int Width, int Height) Fit(int width, int height, int maxSide)
    {
        var longest = Math.Max(width, height);
        if (longest <= maxSide)
        {
            return (width, height);
        }
        var scale = (double)maxSide / longest;
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    /// <summary>
    /// True when the bytes start as a PNG, JPEG, GIF or WebP file does. Decided before the codec is asked, so a
    /// file of another kind is told "not a picture" rather than "broken picture".
    /// </summary>
    public static bool HasPictureSignature(ReadOnlySpan<byte> file) =>
        file.StartsWith(PngSignature)
        || file.StartsWith(JpegSignature)
        || file.StartsWith("GIF87a"u8)
        || file.StartsWith("GIF89a"u8)
        || (file.Length >= 12 && file.StartsWith("RIFF"u8) && file[8..12].SequenceEqual("WEBP"u8));

    private static SKBitmap Decode(ReadOnlySpan<byte> file)
    {
        if (!HasPictureSignature(file))
        {
            throw NotAPicture();
        }
        // The codec owns the stream it reads from.
        using var codec = SKCodec.Create(new SKMemoryStream(SKData.CreateCopy(file)), out var result);
        if (codec is null)
        {
            throw result == SKCodecResult.Unimplemented || result == SKCodecResult.InvalidInput
                ? NotAPicture()
                : Broken($"The picture could not be read ({Describe(result)}).");
        }
        if (
            codec.EncodedFormat
            is not (
                SKEncodedImageFormat.Png
                or SKEncodedImageFormat.Jpeg
                or SKEncodedImageFormat.Webp
                or SKEncodedImageFormat.Gif
            )
        )
        {
            throw NotAPicture();
        }
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > MaxPixels)
        {
            throw Broken(
                $"The picture is {info.Width}×{info.Height} pixels; pictures of up to {MaxPixels / 1_000_000} "
                    + "million pixels are accepted."
            );
        }
        var bitmap = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        // The first frame of an animation; an orientation tag is applied by the codec's pixels as stored.
        var decoded = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (decoded is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            bitmap.Dispose();
            throw Broken($"The picture could not be decoded ({Describe(decoded)}).");
        }
        if (decoded == SKCodecResult.IncompleteInput)
        {
            bitmap.Dispose();
            throw Broken("The picture is cut short: the file ends before its last row of pixels.");
        }
        return bitmap;
    }

    private static string Describe(SKCodecResult result) =>
        result switch
        {
            SKCodecResult.IncompleteInput => "the file is cut short",
            SKCodecResult.ErrorInInput => "its data is damaged",
            _ => result.ToString(),
        };

    private static UnsupportedFormatException NotAPicture() =>
        new($"This is not a picture we can read: send a {Accepted} file.");

    private static InvalidFileException Broken(string message) => new("invalid_image", message);
}
