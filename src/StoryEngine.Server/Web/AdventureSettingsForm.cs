using System.Globalization;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Generation;

namespace StoryEngine.Server.Web;

/// <summary>
/// The play view's settings form: the same title, memory, author's note and generation settings as
/// <c>PATCH /api/v1/adventures/{id}</c>, as text fields a browser posts. Numbers arrive as text, so an empty box
/// means "not set here" and a word where a number belongs is an error naming the field, with what was typed kept.
/// </summary>
public sealed class AdventureSettingsForm
{
    public string? Title { get; set; } = "";
    public string? Memory { get; set; } = "";
    public string? NoteText { get; set; } = "";
    public string? NoteDepth { get; set; } = AuthorsNote.DefaultDepth.ToString(CultureInfo.InvariantCulture);
    public string? NoteRole { get; set; } = "system";
    public string? NoteFrequency { get; set; } = "1";
    public string? Temperature { get; set; } = "";
    public string? TopP { get; set; } = "";
    public string? TopK { get; set; } = "";
    public string? MinP { get; set; } = "";
    public string? FrequencyPenalty { get; set; } = "";
    public string? PresencePenalty { get; set; } = "";
    public string? RepetitionPenalty { get; set; } = "";
    public string? MaxTokens { get; set; } = "";

    /// <summary>One stop sequence per line.</summary>
    public string? Stop { get; set; } = "";
    public string? Seed { get; set; } = "";

    /// <summary>
    /// A fingerprint of the title and settings the form was filled from: a save over settings someone changed since is
    /// refused. Not the adventure's version, which every turn and background job moves.
    /// </summary>
    public string? Seen { get; set; }

    public static string Fingerprint(AdventureHeader header) =>
        Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(
                System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(header, System.Text.Json.JsonSerializerOptions.Web)
            )
        )[..32];

    public static AdventureSettingsForm From(Adventure adventure)
    {
        var g = adventure.Settings.Generation;
        var note = adventure.Settings.AuthorsNote;
        return new AdventureSettingsForm
        {
            Title = adventure.Title,
            Memory = adventure.Settings.Memory,
            NoteText = note?.Text ?? "",
            NoteDepth = Text(note?.Depth ?? AuthorsNote.DefaultDepth),
            NoteRole = note?.Role ?? "system",
            NoteFrequency = Text(note?.Frequency ?? 1),
            Temperature = Text(g.Temperature),
            TopP = Text(g.TopP),
            TopK = Text(g.TopK),
            MinP = Text(g.MinP),
            FrequencyPenalty = Text(g.FrequencyPenalty),
            PresencePenalty = Text(g.PresencePenalty),
            RepetitionPenalty = Text(g.RepetitionPenalty),
            MaxTokens = Text(g.MaxTokens),
            Stop = string.Join("\n", g.Stop ?? []),
            Seed = Text(g.Seed),
            Seen = Fingerprint(new AdventureHeader(adventure.Title, adventure.Settings)),
        };
    }

    /// <summary>The title and settings the form says, or a validation failure naming each field that is not a
    /// number where one belongs (the services check the ranges).</summary>
    public AdventureHeader ToHeader()
    {
        var errors = new FieldErrors();
        var generation = new GenerationSettings
        {
            Temperature = Number(errors, "generation.temperature", Temperature),
            TopP = Number(errors, "generation.topP", TopP),
            TopK = Whole(errors, "generation.topK", TopK),
            MinP = Number(errors, "generation.minP", MinP),
            FrequencyPenalty = Number(errors, "generation.frequencyPenalty", FrequencyPenalty),
            PresencePenalty = Number(errors, "generation.presencePenalty", PresencePenalty),
            RepetitionPenalty = Number(errors, "generation.repetitionPenalty", RepetitionPenalty),
            MaxTokens = Whole(errors, "generation.maxTokens", MaxTokens),
            Stop = Lines(Stop ?? "") is { Count: > 0 } stop ? stop : null,
            Seed = long.TryParse(Seed?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
                ? seed
                : Blank(errors, "generation.seed", Seed),
        };
        var depth = Whole(errors, "authorsNote.depth", NoteDepth) ?? AuthorsNote.DefaultDepth;
        var frequency = Whole(errors, "authorsNote.frequency", NoteFrequency) ?? 1;
        errors.ThrowIfAny();
        var note = string.IsNullOrWhiteSpace(NoteText)
            ? null
            : new AuthorsNote(NoteText.Trim(), depth, (NoteRole ?? "system").Trim(), frequency);
        return new AdventureHeader(
            Title ?? "",
            new AdventureSettings
            {
                AuthorsNote = note,
                Memory = (Memory ?? "").Trim(),
                Generation = generation,
            }
        );
    }

    private static string Text(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture) ?? "";

    private static IReadOnlyList<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();

    private static double? Number(FieldErrors errors, string field, string? text) =>
        double.TryParse(text?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : Blank<double>(errors, field, text);

    private static int? Whole(FieldErrors errors, string field, string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : Blank<int>(errors, field, text);

    private static long? Blank(FieldErrors errors, string field, string? text) => Blank<long>(errors, field, text);

    // Empty means "not set here"; anything else that did not parse is a mistake to name.
    private static T? Blank<T>(FieldErrors errors, string field, string? text)
        where T : struct
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            errors.Add(field, $"{field} must be a number (got '{text!.Trim()}').");
        }
        return null;
    }
}
