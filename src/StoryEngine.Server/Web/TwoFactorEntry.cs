namespace StoryEngine.Server.Web;

/// <summary>
/// Pages take the second factor in one field, as people have it: six digits from the authenticator, or one of the
/// recovery codes. The services take them apart (the API has two fields), so the page decides which one was typed.
/// </summary>
public static class TwoFactorEntry
{
    public static (string? Code, string? RecoveryCode) Split(string? entered)
    {
        var text = entered?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return (null, null);
        }
        var digits = text.Replace(" ", "", StringComparison.Ordinal);
        return digits is { Length: 6 } && digits.All(char.IsAsciiDigit) ? (digits, null) : (null, text);
    }

    /// <summary>"ABCDEFGH…" as "ABCD EFGH …": easier to read off the screen and type into an app.</summary>
    public static string Grouped(string secret) =>
        string.Join(
            ' ',
            Enumerable
                .Range(0, (secret.Length + 3) / 4)
                .Select(i => secret.Substring(i * 4, Math.Min(4, secret.Length - i * 4)))
        );

    /// <summary>
    /// The <c>otpauth://</c> link as a QR code for an authenticator app to scan, as an SVG data URI for an
    /// <c>img</c> (the pages' content security policy allows data: images and no inline markup). Drawn by QRCoder
    /// with error correction M, which a phone camera reads easily off a screen.
    /// </summary>
    public static string QrDataUri(string otpauthUri)
    {
        using var data = QRCoder.QRCodeGenerator.GenerateQrCode(otpauthUri, QRCoder.QRCodeGenerator.ECCLevel.M);
        var svg = new QRCoder.SvgQRCode(data).GetGraphic(6);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(svg));
    }
}
