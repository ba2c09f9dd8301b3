using System.Text;
using System.Text.Json.Nodes;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Lore;
using StoryEngine.Formats.Png;

namespace StoryEngine.Formats.Cards;

/// <summary>
/// Character cards inside PNGs: base64 JSON in <c>tEXt</c> chunks named <c>ccv3</c> (V3) and <c>chara</c> (V1/V2,
/// or a V2 copy of a V3 card), matched ignoring case as SillyTavern does (../shared/specs/character-cards.md §1).
/// The chunk name only says where to look; the version comes from the JSON's <c>spec</c>.
/// </summary>
public static class CardPng
{
    public const string V3Chunk = "ccv3";
    public const string V2Chunk = "chara";
    private static readonly string[] CardChunks = [V3Chunk, V2Chunk];

    /// <exception cref="InvalidFileException">The PNG is broken or holds no readable card.</exception>
    public static ReadCard Read(ReadOnlyMemory<byte> file)
    {
        var chunks = PngChunks.Read(file.Span, InvalidFileException.Card);
        // ccv3 first: a reader that finds both SHOULD use it (§1); a broken ccv3 falls back to chara.
        var candidates = PngText
            .Read(file, chunks)
            .Where(t => CardChunks.Contains(t.Text.Keyword, StringComparer.OrdinalIgnoreCase))
            .OrderBy(t => t.Text.Keyword.Equals(V3Chunk, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ToArray();
        if (candidates.Length == 0)
        {
            throw InvalidFileException.Card(
                "The PNG holds no character card: it has no tEXt chunk named chara or " + "ccv3."
            );
        }

        var warnings = new List<string>();
        InvalidFileException? first = null;
        foreach (var (chunk, text) in candidates)
        {
            try
            {
                var json = Decode(text, chunk);
                var (character, book, spec) = CardReader.Read(json, $"The {text.Keyword} chunk's JSON", warnings);
                if (first is not null)
                {
                    warnings.Add($"{first.Message} The card was read from the {text.Keyword} chunk instead.");
                }
                if (spec == CardFields.V3 && text.Keyword.Equals(V2Chunk, StringComparison.OrdinalIgnoreCase))
                {
                    warnings.Add("The chara chunk held a V3 card; it was read as V3.");
                }
                var picture = PngText.Rewrite(file.Span, chunks, CardChunks, []);
                return new ReadCard(
                    character,
                    book,
                    spec,
                    [new CharacterFile(CharacterFile.CardImage, "image/png", picture)],
                    warnings
                );
            }
            catch (InvalidFileException e)
            {
                first ??= e;
            }
        }
        throw first!;
    }

    /// <summary>
    /// <paramref name="picture"/> (or a placeholder when it is null or not a PNG) with the card written into it:
    /// a <c>chara</c> chunk holding the V2 copy and a <c>ccv3</c> chunk holding the V3 card, both before IEND.
    /// </summary>
    public static byte[] Write(Character character, Lorebook? book, byte[]? picture)
    {
        if (picture is null || !PngChunks.HasSignature(picture))
        {
            picture = PlaceholderPng.For(character.Name);
        }
        // checked when it was imported; a placeholder is ours
        var chunks = PngChunks.Read(picture, InvalidFileException.Card);
        return PngText.Rewrite(
            picture,
            chunks,
            CardChunks,
            [
                new PngTextChunk(V2Chunk, Encode(CardWriter.V2(character, book))),
                new PngTextChunk(V3Chunk, Encode(CardWriter.V3(character, book))),
            ]
        );
    }

    private static byte[] Decode(PngTextChunk text, PngChunk chunk)
    {
        try
        {
            return Convert.FromBase64String(text.Text);
        }
        catch (FormatException)
        {
            throw InvalidFileException.Card(
                $"The {text.Keyword} chunk at byte {chunk.Start} is not valid base64, "
                    + "so it holds no readable card."
            );
        }
    }

    private static string Encode(JsonObject card) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(card.ToJsonString(CardJson.Options)));
}
