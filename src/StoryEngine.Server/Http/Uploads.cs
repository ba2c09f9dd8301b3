using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using StoryEngine.Core.Errors;

namespace StoryEngine.Server.Http;

/// <summary>A file sent to an import route: its bytes and, when the client said, its name.</summary>
public sealed record Upload(byte[] Content, string? FileName);

/// <summary>
/// Reads an uploaded file either as the <c>file</c> field of a multipart form or as the raw request body. Import
/// routes accept up to <see cref="MaxBytes"/>, above the 1 MB every other route takes: cards with their pictures and
/// World Info files are often several MB.
/// </summary>
public static class Uploads
{
    public const long MaxBytes = 20 * 1024 * 1024;
    public const string FieldName = "file";

    public static Task<Upload> ReadAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadAsync(request, MaxBytes, TooLarge, cancellationToken);

    /// <summary>An upload of at most <paramref name="maxBytes"/>; <paramref name="tooLarge"/> says so
    /// otherwise.</summary>
    public static async Task<Upload> ReadAsync(
        HttpRequest request,
        long maxBytes,
        Func<Exception> tooLarge,
        CancellationToken cancellationToken
    )
    {
        // Raised here rather than by Kestrel's global limit, for this request only, before its body is read.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }
        if (request.ContentLength > maxBytes)
        {
            throw tooLarge();
        }
        try
        {
            var upload = request.HasFormContentType
                ? await FromFormAsync(request, maxBytes, tooLarge, cancellationToken)
                : await FromBodyAsync(request, maxBytes, tooLarge, cancellationToken);
            return upload.Content.Length > 0
                ? upload
                : throw ValidationFailedException.For(
                    FieldName,
                    "The upload is empty: send the file as the body, " + "or as the multipart field 'file'."
                );
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw tooLarge();
        }
        catch (InvalidDataException e) when (e.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw tooLarge();
        }
        catch (InvalidDataException e)
        {
            throw new BadHttpRequestException(
                "The multipart form could not be read: " + $"{e.Message}",
                StatusCodes.Status400BadRequest,
                e
            );
        }
    }

    private static async Task<Upload> FromFormAsync(
        HttpRequest request,
        long maxBytes,
        Func<Exception> tooLarge,
        CancellationToken cancellationToken
    )
    {
        var form = await request.ReadFormAsync(cancellationToken);
        var file = form.Files.GetFile(FieldName)
            ?? (form.Files.Count == 1 ? form.Files[0] : null)
            ?? throw ValidationFailedException.For(FieldName, "Send the file in a multipart field named 'file'.");
        if (file.Length > maxBytes)
        {
            throw tooLarge();
        }
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellationToken);
        return new Upload(buffer.ToArray(), file.FileName);
    }

    private static async Task<Upload> FromBodyAsync(
        HttpRequest request,
        long maxBytes,
        Func<Exception> tooLarge,
        CancellationToken cancellationToken
    )
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > maxBytes)
        {
            throw tooLarge();
        }
        // A raw upload may still name its file (Content-Disposition), which names a World Info book.
        var name = ContentDispositionHeaderValue.TryParse(
            request.Headers.ContentDisposition.ToString(),
            out var disposition
        )
            ? (disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : disposition.FileName.Value)?.Trim(
                '"'
            )
            : null;
        return new Upload(buffer.ToArray(), name);
    }

    private static PayloadTooLargeException TooLarge() =>
        new(
            $"Imports are limited to {MaxBytes / (1024 * 1024)} MB. Send a smaller file (a card's picture can "
                + "usually be shrunk)."
        );
}
