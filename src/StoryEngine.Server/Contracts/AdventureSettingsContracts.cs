using StoryEngine.Core.Adventures;
using StoryEngine.Core.Generation;

namespace StoryEngine.Server.Contracts;

/// <summary>The author's note as the API shows and takes it; a field left out keeps its default.</summary>
public sealed record AuthorsNoteFields(string? Text, int? Depth = null, string? Role = null, int? Frequency = null)
{
    public static AuthorsNoteFields? From(AuthorsNote? note) =>
        note is null ? null : new(note.Text, note.Depth, note.Role, note.Frequency);

    public AuthorsNote ToNote() => new(Text ?? "", Depth ?? AuthorsNote.DefaultDepth, Role ?? "system", Frequency ?? 1);
}

/// <summary>Generation settings as the API shows and takes them: a field left out (or null) is not set at this
/// layer, so the next one down decides.</summary>
public sealed record GenerationFields(
    double? Temperature = null,
    double? TopP = null,
    int? TopK = null,
    double? MinP = null,
    double? FrequencyPenalty = null,
    double? PresencePenalty = null,
    double? RepetitionPenalty = null,
    int? MaxTokens = null,
    IReadOnlyList<string>? Stop = null,
    long? Seed = null
)
{
    public static GenerationFields From(GenerationSettings s) =>
        new(
            s.Temperature,
            s.TopP,
            s.TopK,
            s.MinP,
            s.FrequencyPenalty,
            s.PresencePenalty,
            s.RepetitionPenalty,
            s.MaxTokens,
            s.Stop,
            s.Seed
        );

    public GenerationSettings ToSettings() =>
        new()
        {
            Temperature = Temperature,
            TopP = TopP,
            TopK = TopK,
            MinP = MinP,
            FrequencyPenalty = FrequencyPenalty,
            PresencePenalty = PresencePenalty,
            RepetitionPenalty = RepetitionPenalty,
            MaxTokens = MaxTokens,
            Stop = Stop,
            Seed = Seed,
        };
}

/// <summary>What PATCH /adventures/{id} merges into: the adventure's title and settings.</summary>
public sealed record AdventureSettingsRequest(
    string? Title,
    AuthorsNoteFields? AuthorsNote = null,
    string? Memory = null,
    GenerationFields? Generation = null
)
{
    public static AdventureSettingsRequest From(AdventureHeader header) =>
        new(
            header.Title,
            AuthorsNoteFields.From(header.Settings.AuthorsNote),
            header.Settings.Memory,
            GenerationFields.From(header.Settings.Generation)
        );

    public AdventureHeader ToHeader() =>
        new(
            Title ?? "",
            new AdventureSettings
            {
                // An author's note with no text is no note: removing the text removes it.
                AuthorsNote = AuthorsNote is { Text.Length: > 0 } note ? note.ToNote() : null,
                Memory = Memory ?? "",
                Generation = Generation?.ToSettings() ?? GenerationSettings.None,
            }
        );
}
