using System.Buffers.Binary;
using System.Text;
using SkiaSharp;
using StoryEngine.Core.Errors;
using StoryEngine.Formats.Images;
using StoryEngine.Formats.Png;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Formats;

/// <summary>Pictures in: every accepted format decodes and comes out as WebP within the size limit; what is not a
/// picture, a broken one and a decompression bomb are told apart.</summary>
public sealed class PictureFileTests
{
    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void every_accepted_format_comes_out_as_webp_shrunk_to_the_limit(SKEncodedImageFormat format)
    {
        var picture = PictureFile.Normalize(TestPictures.Make(800, 1000, format), maxSide: 100);

        Assert.Equal("image/webp", picture.MediaType);
        Assert.Equal((80, 100), (picture.Width, picture.Height));
        Assert.Equal((80, 100), TestPictures.SizeOf(picture.Data));
    }

    [Fact]
    public void a_gif_is_read_as_its_first_frame()
    {
        // The smallest GIF there is: one transparent pixel.
        var gif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
        var picture = PictureFile.Normalize(gif, maxSide: 512);
        Assert.Equal((1, 1), (picture.Width, picture.Height));
    }

    [Fact]
    public void a_small_picture_is_not_enlarged_and_text_chunks_do_not_survive()
    {
        var png = CardFileTests.WithText(TestPictures.Make(40, 30), ("chara", "eyJzZWNyZXQiOiJ0ZXh0In0="));
        var picture = PictureFile.Normalize(png, maxSide: 512);
        Assert.Equal((40, 30), (picture.Width, picture.Height));
        Assert.DoesNotContain("chara", Encoding.Latin1.GetString(picture.Data), StringComparison.Ordinal);
    }

    [Fact]
    public void text_is_not_a_picture_and_a_cut_picture_is_broken()
    {
        var notAPicture = Assert.Throws<UnsupportedFormatException>(() =>
            PictureFile.Normalize("{\"name\":\"Ada\"}"u8, maxSide: 512)
        );
        Assert.Contains("PNG, JPEG, WebP or GIF", notAPicture.Message, StringComparison.Ordinal);

        var jpeg = TestPictures.Make(200, 200, SKEncodedImageFormat.Jpeg);
        var broken = Assert.Throws<InvalidFileException>(() => PictureFile.Normalize(jpeg.AsSpan(0, 300), 512));
        Assert.Equal("invalid_image", broken.Code);
    }

    [Fact]
    public void a_canvas_of_more_than_fifty_million_pixels_is_refused_before_it_is_decoded()
    {
        // A PNG that claims 20000 x 20000 pixels (400 million) in 60 bytes.
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, 20_000);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 20_000);
        header[8] = 8; // bit depth
        header[9] = 6; // RGBA
        var png = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        png.AddRange(Chunk("IHDR", header));
        png.AddRange(Chunk("IDAT", [0x78, 0x9C, 0x03, 0x00])); // the decoder reads up to the first data chunk
        png.AddRange(Chunk("IEND", []));

        var refused = Assert.Throws<InvalidFileException>(() => PictureFile.Normalize(png.ToArray(), 512));
        Assert.Contains("20000×20000", refused.Message, StringComparison.Ordinal);
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.Compute(chunk.AsSpan(4, 4), data));
        return chunk;
    }
}
