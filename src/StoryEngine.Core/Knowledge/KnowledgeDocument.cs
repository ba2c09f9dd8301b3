using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Knowledge;

/// <summary>
/// A document of a world's knowledge (a setting bible, a history, a map legend), uploaded as a file: what the author
/// named it and tagged it with, and what was uploaded. The file itself is kept as it came (<see
/// cref="IKnowledgeStore.GetOriginalAsync"/>); its text is cut into passages for search
/// (docs/adr/0045-world-documents.md).
/// </summary>
public sealed record KnowledgeDocument : IResourceBody<KnowledgeDocument>
{
    public static string Kind => "document";

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The uploaded file's name, when the client gave one.</summary>
    public string? FileName { get; init; }

    /// <summary>One of <see cref="DocumentFormats"/>.</summary>
    public required string Format { get; init; }

    public required string MediaType { get; init; }

    /// <summary>The original's size in bytes.</summary>
    public long Bytes { get; init; }

    /// <summary>SHA-256 of the original, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Characters of text extracted from it.</summary>
    public int Characters { get; init; }

    string IResourceBody<KnowledgeDocument>.SearchText => Resources.SearchText.Of(Name, Description, FileName);

    public void Validate(FieldErrors errors)
    {
        errors.Required("name", Name, Limits.Name);
        errors.MaxLength("description", Description, Limits.ShortText);
        errors.List("tags", Tags, Limits.Tags, Limits.Tag);
        errors.MaxLength("fileName", FileName, Limits.Name);
    }
}

/// <summary>The formats a world document may be uploaded in.</summary>
public static class DocumentFormats
{
    public const string Text = "text";
    public const string Markdown = "markdown";
    public const string Html = "html";
    public const string Pdf = "pdf";
    public const string Epub = "epub";

    public static IReadOnlyList<string> All { get; } = [Text, Markdown, Html, Pdf, Epub];

    /// <summary>The format named by the upload's media type, else its file extension, else its first bytes; null when
    /// none says.</summary>
    public static string? Detect(string? mediaType, string? fileName, ReadOnlySpan<byte> content)
    {
        var type = (mediaType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var byType = type switch
        {
            "text/markdown" or "text/x-markdown" => Markdown,
            "text/html" or "application/xhtml+xml" => Html,
            "application/pdf" => Pdf,
            "application/epub+zip" => Epub,
            "text/plain" => Text,
            _ => null,
        };
        var extension = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        var byName = extension switch
        {
            ".md" or ".markdown" => Markdown,
            ".html" or ".htm" or ".xhtml" => Html,
            ".pdf" => Pdf,
            ".epub" => Epub,
            ".txt" or ".text" => Text,
            _ => null,
        };
        // A generic type (text/plain from a browser for a .md file, application/octet-stream) yields to the name.
        if (byName is not null && (byType is null || byType == Text))
        {
            return byName;
        }
        if (byType is not null)
        {
            return byType;
        }
        if (content.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }
        if (content.StartsWith("PK\u0003\u0004"u8) && content.IndexOf("application/epub+zip"u8) >= 0)
        {
            return Epub;
        }
        return null;
    }

    public static string MediaTypeOf(string format) =>
        format switch
        {
            Markdown => "text/markdown",
            Html => "text/html",
            Pdf => "application/pdf",
            Epub => "application/epub+zip",
            _ => "text/plain",
        };
}
