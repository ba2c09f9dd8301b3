using Microsoft.Playwright;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace StoryEngine.Tests.Web;

/// <summary>
/// Reads a QR code the way a phone would read it off the screen: the browser draws the page's image onto a canvas
/// (with a white margin), and ZXing decodes those pixels. So the test checks what the person sees, not the library
/// that drew it.
/// </summary>
public static class QrImage
{
    // Drawn at a whole multiple of its own size with smoothing off, so every module is a crisp square of pixels (a
    // QR code scaled by a fraction blurs its edges, and some sizes then failed to decode under load).
    private const string Draw = """
        async (img, scale) => {
          await img.decode();
          const margin = 48;
          const width = img.naturalWidth * scale, height = img.naturalHeight * scale;
          const canvas = document.createElement("canvas");
          canvas.width = width + 2 * margin;
          canvas.height = height + 2 * margin;
          const g = canvas.getContext("2d");
          g.imageSmoothingEnabled = false;
          g.fillStyle = "#fff";
          g.fillRect(0, 0, canvas.width, canvas.height);
          g.drawImage(img, margin, margin, width, height);
          const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
          const gray = new Array(canvas.width * canvas.height);
          for (let i = 0; i < gray.length; i++) {
            gray[i] = Math.round(0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]);
          }
          return { width: canvas.width, height: canvas.height, gray };
        }
        """;

    /// <summary>The text the QR code in <paramref name="image"/> holds, or null when none can be read. A few whole
    /// scales and both of ZXing's binarizers are tried, as a phone tries again from a little closer: one QR code
    /// (its content is random per test) once failed to decode at a single scale.</summary>
    public static async Task<string?> DecodeAsync(ILocator image)
    {
        foreach (var scale in new[] { 3, 4, 6 })
        {
            var drawn = await image.EvaluateAsync<System.Text.Json.JsonElement>(Draw, scale);
            var (width, height) = (drawn.GetProperty("width").GetInt32(), drawn.GetProperty("height").GetInt32());
            var pixels = drawn.GetProperty("gray").EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray();
            var source = new RGBLuminanceSource(pixels, width, height, RGBLuminanceSource.BitmapFormat.Gray8);
            foreach (
                Binarizer binarizer in new Binarizer[]
                {
                    new HybridBinarizer(source),
                    new GlobalHistogramBinarizer(source),
                }
            )
            {
                var result = new QRCodeReader().decode(
                    new BinaryBitmap(binarizer),
                    new Dictionary<DecodeHintType, object> { [DecodeHintType.TRY_HARDER] = true }
                );
                if (result?.Text is { } text)
                {
                    return text;
                }
            }
        }
        return null;
    }
}
