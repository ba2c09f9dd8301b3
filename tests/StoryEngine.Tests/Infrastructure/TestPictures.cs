using System.Net.Http.Headers;
using SkiaSharp;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>Real pictures made for a test (SkiaSharp), and reading back what the server stored.</summary>
public static class TestPictures
{
    /// <summary>A picture of one colour with a white square in its top-left quarter, so a resize is visible.</summary>
    public static byte[] Make(int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0x2a, 0x6f, 0x97));
            using var paint = new SKPaint { Color = SKColors.White };
            canvas.DrawRect(0, 0, width / 2f, height / 2f, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>The width and height of an encoded picture, decoded for real.</summary>
    public static (int Width, int Height) SizeOf(byte[] picture)
    {
        using var bitmap = SKBitmap.Decode(picture);
        Assert.NotNull(bitmap);
        return (bitmap.Width, bitmap.Height);
    }

    public static ByteArrayContent Content(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    /// <summary>The picture as the multipart field <c>file</c>, as a browser form sends it.</summary>
    public static MultipartFormDataContent Multipart(byte[] bytes, string mediaType, string fileName)
    {
        var form = new MultipartFormDataContent();
        var file = Content(bytes, mediaType);
        form.Add(file, "file", fileName);
        return form;
    }
}
