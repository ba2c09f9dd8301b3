using StoryEngine.Core.Errors;

namespace StoryEngine.Formats.Cards;

/// <summary>The containers a character can be exported in.</summary>
public enum CardFormat
{
    /// <summary>V3 card JSON.</summary>
    Json,

    /// <summary>A PNG with <c>chara</c> (V2) and <c>ccv3</c> (V3) chunks.</summary>
    Png,

    /// <summary>A CHARX zip: <c>card.json</c> and assets.</summary>
    Charx,
}

public static class CardFormats
{
    public static CardFormat Parse(string? name) =>
        name?.ToLowerInvariant() switch
        {
            null or "" or "json" => CardFormat.Json,
            "png" => CardFormat.Png,
            "charx" => CardFormat.Charx,
            _ => throw ValidationFailedException.For(
                "format",
                $"'{name}' is not a card format: use json, png or charx."
            ),
        };

    public static string MediaType(CardFormat format) =>
        format switch
        {
            CardFormat.Png => "image/png",
            // CHARX has no registered type of its own; it is a zip, and says so.
            CardFormat.Charx => "application/zip",
            _ => "application/json",
        };

    public static string Extension(CardFormat format) =>
        format switch
        {
            CardFormat.Png => ".png",
            CardFormat.Charx => ".charx",
            _ => ".json",
        };
}
