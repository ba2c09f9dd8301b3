using System.Text;
using System.Text.Json.Nodes;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Png;

namespace StoryEngine.Formats.Cards;

/// <summary>
/// A character card in any container: told apart by the file's first bytes (never by its name or declared type),
/// read, and written back as JSON, PNG or CHARX.
/// </summary>
public static class CardFile
{
    /// <summary>Where a CHARX export puts a PNG card's picture (the layout V3 recommends, §1).</summary>
    public const string CharxIconPath = "assets/icon/images/main.png";

    public static ReadCard Read(ReadOnlyMemory<byte> file)
    {
        if (PngChunks.HasSignature(file.Span))
        {
            return CardPng.Read(file);
        }
        if (CharxArchive.HasSignature(file.Span))
        {
            var (card, files) = CharxArchive.Read(file);
            var warnings = new List<string>();
            var (character, book, spec) = CardReader.Read(card, "card.json", warnings);
            return new ReadCard(character, book, spec, files, warnings);
        }
        if (LooksLikeJson(file.Span))
        {
            var warnings = new List<string>();
            var (character, book, spec) = CardReader.Read(file.Span, "The card", warnings);
            return new ReadCard(character, book, spec, [], warnings);
        }
        throw new UnsupportedFormatException(
            "This is not a character card we can read: send a PNG card, a CHARX " + "file or card JSON (V1, V2 or V3)."
        );
    }

    /// <summary>True when the first character that is not white space (after a byte order mark) opens a JSON
    /// object.</summary>
    public static bool LooksLikeJson(ReadOnlySpan<byte> file)
    {
        if (file.StartsWith("\uFEFF"u8))
        {
            file = file[3..];
        }
        var start = file.IndexOfAnyExcept(" \t\r\n"u8);
        return start >= 0 && file[start] == (byte)'{';
    }

    public static byte[] Write(
        CardFormat format,
        Character character,
        Lorebook? book,
        IReadOnlyList<CharacterFile> files
    ) =>
        format switch
        {
            CardFormat.Png => CardPng.Write(character, book, Picture(character, files)),
            CardFormat.Charx => Charx(character, book, files),
            _ => Encoding.UTF8.GetBytes(CardWriter.V3(character, book).ToJsonString(CardJson.Indented)),
        };

    /// <summary>
    /// The picture a PNG export is drawn on: the PNG the card came in, else the CHARX's main icon when it is a PNG
    /// (V3: the icon named "main", §5), else none (the export makes a placeholder).
    /// </summary>
    public static byte[]? Picture(Character character, IReadOnlyList<CharacterFile> files)
    {
        if (files.FirstOrDefault(f => f.Path == CharacterFile.CardImage) is { } own)
        {
            return own.Data;
        }
        var icons = Assets(character).Where(a => a["type"]?.ToString() == "icon").ToArray();
        var main = icons.FirstOrDefault(a => a["name"]?.ToString() == "main") ?? icons.FirstOrDefault();
        var uri = main?["uri"]?.ToString();
        const string embedded = "embeded://"; // sic: the spec's spelling (§1)
        return uri is not null && uri.StartsWith(embedded, StringComparison.Ordinal)
            ? files.FirstOrDefault(f => f.Path == uri[embedded.Length..])?.Data
            : null;
    }

    /// <summary>
    /// card.json plus every file that came with the card. A PNG card's own picture goes in as the main icon, and the
    /// card names it (an asset list that said <c>ccdefault:</c>, "the PNG itself", now points at it).
    /// </summary>
    private static byte[] Charx(Character character, Lorebook? book, IReadOnlyList<CharacterFile> files)
    {
        var card = CardWriter.V3(character, book);
        var zipped = files.Where(f => f.Path != CharacterFile.CardImage).ToList();
        if (
            files.FirstOrDefault(f => f.Path == CharacterFile.CardImage) is { } picture
            && zipped.All(f => f.Path != CharxIconPath)
        )
        {
            zipped.Add(picture with { Path = CharxIconPath });
            var data = card["data"]!.AsObject();
            var uri = "embeded://" + CharxIconPath;
            if (data["assets"] is JsonArray assets)
            {
                foreach (var asset in assets.OfType<JsonObject>().Where(a => a["uri"]?.ToString() == "ccdefault:"))
                {
                    asset["uri"] = uri;
                }
            }
            else
            {
                data["assets"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "icon",
                        ["uri"] = uri,
                        ["name"] = "main",
                        ["ext"] = "png",
                    }
                );
            }
        }
        return CharxArchive.Write(Encoding.UTF8.GetBytes(card.ToJsonString(CardJson.Indented)), zipped);
    }

    private static IEnumerable<JsonObject> Assets(Character character) =>
        (
            character.Extensions[CardFields.Namespace]?[CardFields.Leftovers]?["data"]?["assets"] as JsonArray
        )?.OfType<JsonObject>() ?? [];
}
