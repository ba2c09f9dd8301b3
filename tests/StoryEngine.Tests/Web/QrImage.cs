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
    private const int Size = 480;

    private const string Draw = """
        async (img, size) => {
          await img.decode();
          const canvas = document.createElement("canvas");
          canvas.width = size;
          canvas.height = size;
          const g = canvas.getContext("2d");
          g.fillStyle = "#fff";
          g.fillRect(0, 0, size, size);
          const margin = size / 8;
          g.drawImage(img, margin, margin, size - 2 * margin, size - 2 * margin);
          const d = g.getImageData(0, 0, size, size).data;
          const gray = new Array(size * size);
          for (let i = 0; i < gray.length; i++) {
            gray[i] = Math.round(0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]);
          }
          return gray;
        }
        """;

    /// <summary>The text the QR code in <paramref name="image"/> holds, or null when none can be read.</summary>
    public static async Task<string?> DecodeAsync(ILocator image)
    {
        var gray = await image.EvaluateAsync<int[]>(Draw, Size);
        var pixels = gray.Select(v => (byte)v).ToArray();
        var source = new RGBLuminanceSource(pixels, Size, Size, RGBLuminanceSource.BitmapFormat.Gray8);
        var result = new QRCodeReader().decode(
            new BinaryBitmap(new HybridBinarizer(source)),
            new Dictionary<DecodeHintType, object> { [DecodeHintType.TRY_HARDER] = true }
        );
        return result?.Text;
    }
}
