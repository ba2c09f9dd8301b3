using StoryEngine.Core.Errors;
using StoryEngine.Core.Generation;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Adventures;

/// <summary>
/// The author's note (SillyTavern's, NovelAI's): text sent as a message of <see cref="Role"/>, <see cref="Depth"/>
/// messages from the end of the prompt, on every <see cref="Frequency"/>-th turn.
/// </summary>
public sealed record AuthorsNote(
    string Text,
    int Depth = AuthorsNote.DefaultDepth,
    string Role = "system",
    int Frequency = 1
)
{
    /// <summary>SillyTavern's default depth.</summary>
    public const int DefaultDepth = 4;

    public const int MaxDepth = 100;
    public const int MaxFrequency = 1000;
    public static readonly IReadOnlyList<string> Roles = ["system", "user", "assistant"];

    public void Validate(FieldErrors errors)
    {
        errors.MaxLength("authorsNote.text", Text, Limits.ShortText * 5);
        if (Depth is < 0 or > MaxDepth)
        {
            errors.Add("authorsNote.depth", $"authorsNote.depth must be between 0 and {MaxDepth} (got {Depth}).");
        }
        if (!Roles.Contains(Role))
        {
            errors.Add("authorsNote.role", "authorsNote.role must be one of: " + string.Join(", ", Roles) + ".");
        }
        if (Frequency is < 1 or > MaxFrequency)
        {
            errors.Add(
                "authorsNote.frequency",
                $"authorsNote.frequency must be between 1 (every turn) and {MaxFrequency} (got {Frequency})."
            );
        }
    }

    /// <summary>Whether the note goes into the prompt of turn <paramref name="turnNumber"/>.</summary>
    public bool AppliesTo(int turnNumber) => Text.Length > 0 && turnNumber % Frequency == 0;
}

/// <summary>
/// What a player sets on an adventure besides its title: the author's note, the memory (a pinned note in the
/// prompt's stable prefix) and the generation settings that override the world's and the server's.
/// </summary>
public sealed record AdventureSettings
{
    public static readonly AdventureSettings None = new();

    public AuthorsNote? AuthorsNote { get; init; }
    public string Memory { get; init; } = "";
    public GenerationSettings Generation { get; init; } = GenerationSettings.None;

    public void Validate(FieldErrors errors)
    {
        AuthorsNote?.Validate(errors);
        errors.MaxLength("memory", Memory, Limits.ShortText * 5);
        Generation.Validate("generation.", errors);
    }
}
