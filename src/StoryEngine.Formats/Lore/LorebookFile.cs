using System.Text.Json.Nodes;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Cards;
using StoryEngine.Formats.Json;
using StoryEngine.Formats.Png;

namespace StoryEngine.Formats.Lore;

/// <summary>The lorebook formats we export; <see cref="LorebookFile.Write"/> turns a book into one.</summary>
public enum LorebookFormat
{
    /// <summary>SillyTavern World Info JSON.</summary>
    SillyTavern,

    /// <summary>A V3 <c>lorebook_v3</c> file, whose <c>data</c> is a card's <c>character_book</c>.</summary>
    Card,

    /// <summary>A NovelAI <c>.lorebook</c>.</summary>
    NovelAi,
}

/// <summary>
/// Reads a lorebook from any file we know, telling the shape from the content (SillyTavern does the same, §6):
/// <c>spec: lorebook_v3</c>, NovelAI's <c>lorebookVersion</c>, World Info's <c>entries</c> object, a bare
/// <c>character_book</c> (an <c>entries</c> list), or a character card (JSON or PNG) with a book inside.
/// </summary>
public static class LorebookFile
{
    private static readonly JsonFields Json = new(InvalidFileException.Lorebook);

    /// <param name="fallbackName">The name for a book whose file has none (World Info files are named by their file
    /// name).</param>
    public static Lorebook Read(ReadOnlyMemory<byte> file, string fallbackName)
    {
        if (PngChunks.HasSignature(file.Span))
        {
            var card = CardPng.Read(file);
            return card.Lorebook
                ?? throw InvalidFileException.Lorebook(
                    $"The card '{card.Character.Name}' in this " + "PNG has no lorebook."
                );
        }
        if (CharxArchive.HasSignature(file.Span))
        {
            var card = CardFile.Read(file);
            return card.Lorebook
                ?? throw InvalidFileException.Lorebook(
                    $"The card '{card.Character.Name}' in this " + "CHARX file has no lorebook."
                );
        }
        if (!CardFile.LooksLikeJson(file.Span))
        {
            throw new UnsupportedFormatException(
                "This is not a lorebook we can read. Send SillyTavern World Info JSON, a V3 lorebook, a NovelAI "
                    + ".lorebook, or a character card with a book."
            );
        }
        var root = Json.ParseObject(file.Span, "The lorebook");
        return Read(root, fallbackName);
    }

    private static Lorebook Read(JsonObject root, string fallbackName)
    {
        var spec = root["spec"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (spec == "lorebook_v3")
        {
            return CardBookFormat.Read(
                Json.Object(root, "data", "") ?? throw Json.Invalid("A lorebook_v3 file " + "needs a data object."),
                "data",
                fallbackName,
                Json
            );
        }
        if (spec is "chara_card_v2" or "chara_card_v3")
        {
            var card = CardReader.Read(root, []);
            return card.Lorebook
                ?? throw InvalidFileException.Lorebook($"The card '{card.Character.Name}' has no " + "lorebook.");
        }
        if (NovelAiFormat.Matches(root))
        {
            return NovelAiFormat.Read(root, fallbackName, Json);
        }
        if (WorldInfoFormat.Matches(root))
        {
            return WorldInfoFormat.Read(root, fallbackName, Json);
        }
        if (
            root["kind"] is JsonValue kind && kind.ToString() == "memory"
            || root["type"] is JsonValue type && type.ToString() == "risu"
        )
        {
            throw new UnsupportedFormatException(
                "Agnai memory books and Risu lorebooks are not supported yet; "
                    + "export the book from there as SillyTavern World Info."
            );
        }
        if (root["entries"] is JsonArray)
        {
            return CardBookFormat.Read(root, "", fallbackName, Json);
        }
        throw new UnsupportedFormatException(
            "This JSON is not a lorebook we know: expected SillyTavern World Info (an entries object), a V3 "
                + "lorebook (spec lorebook_v3) or a NovelAI .lorebook (lorebookVersion)."
        );
    }

    public static JsonObject Write(Lorebook book, LorebookFormat format) =>
        format switch
        {
            LorebookFormat.SillyTavern => WorldInfoFormat.Write(book),
            LorebookFormat.Card => new JsonObject { ["spec"] = "lorebook_v3", ["data"] = CardBookFormat.Write(book) },
            LorebookFormat.NovelAi => NovelAiFormat.Write(book),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };

    /// <summary>Parses a format name as the API and CLI spell it.</summary>
    public static LorebookFormat ParseFormat(string? name) =>
        name?.ToLowerInvariant() switch
        {
            null or "" or "st" or "sillytavern" => LorebookFormat.SillyTavern,
            "card" or "v3" => LorebookFormat.Card,
            "novelai" or "nai" => LorebookFormat.NovelAi,
            _ => throw ValidationFailedException.For(
                "format",
                $"'{name}' is not a lorebook format: use st, card or " + "novelai."
            ),
        };

    /// <summary>The file name extension each format is known by.</summary>
    public static string Extension(LorebookFormat format) => format == LorebookFormat.NovelAi ? ".lorebook" : ".json";
}
