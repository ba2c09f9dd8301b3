using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Usage;

namespace StoryEngine.Core.Bedtime;

/// <summary>What the guard found in a passage: nothing, or the problems to rewrite it without.</summary>
public sealed record GuardVerdict(bool Suitable, IReadOnlyList<string> Problems, string Source);

/// <summary>
/// The content guard's checks after the prompt's own rules: first a word list (fast, and no model can talk its way
/// past it), then the utility model asked whether the chapter suits the age band, in a JSON schema. The writer
/// rewrites what either flags and refuses what is still flagged after <see cref="BedtimeWriter.MaxRewrites"/>.
/// </summary>
public sealed partial class ContentGuard(IUtilityModel model, UsageMeter usage)
{
    public const string SchemaName = "bedtime_check";

    private static readonly JsonElement Schema = JsonDocument
        .Parse(
            """
            {"type":"object","additionalProperties":false,"required":["suitable","problems"],
             "properties":{"suitable":{"type":"boolean"},"problems":{"type":"array","items":{"type":"string"}}}}
            """
        )
        .RootElement.Clone();

    // Words no bedtime story for a child needs: violence, gore, death, weapons, drugs, sex and swearing. Whole words
    // only ("skill" is fine). The youngest band also keeps out what frightens.
    private static readonly string[] Always =
    [
        "kill",
        "killed",
        "kills",
        "killing",
        "murder",
        "murdered",
        "blood",
        "bloody",
        "gore",
        "gory",
        "corpse",
        "torture",
        "tortured",
        "suicide",
        "gun",
        "guns",
        "shoot",
        "shooting",
        "stab",
        "stabbed",
        "bomb",
        "drugs",
        "cocaine",
        "beer",
        "vodka",
        "drunk",
        "cigarette",
        "sex",
        "sexy",
        "naked",
        "damn",
        "hell",
        "shit",
        "fuck",
        "bitch",
        "bastard",
        "decapitated",
        "slaughter",
        "massacre",
        "dismembered",
        "behead",
        "strangled",
    ];

    private static readonly string[] Toddlers =
    [
        "die",
        "dies",
        "died",
        "dead",
        "death",
        "monster",
        "monsters",
        "scary",
        "terrifying",
        "nightmare",
        "witch",
        "ghost",
        "lost",
    ];

    /// <summary>The word-list check alone: the problems, one per word found.</summary>
    public static IReadOnlyList<string> WordProblems(string text, string ageBand)
    {
        var words = Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var list = ageBand == AgeBands.Toddler ? Always.Concat(Toddlers) : Always;
        return list.Where(words.Contains).Select(w => $"uses the word \"{w}\"").ToArray();
    }

    /// <summary>Checks a chapter: the word list, then the utility model.</summary>
    public async Task<GuardVerdict> CheckAsync(
        string ownerId,
        BedtimeRequest request,
        string text,
        CancellationToken cancellationToken
    )
    {
        var words = WordProblems(text, request.AgeBand);
        if (words.Count > 0)
        {
            return new GuardVerdict(false, words, "word list");
        }
        var messages = new List<ChatMessage>
        {
            new(
                ChatRole.System,
                "You check bedtime stories before a parent reads them to a child. Say whether the passage suits a "
                    + "child of the given age at bedtime: nothing violent, frightening, cruel, sexual, rude or "
                    + "unsafe to copy. List each problem briefly; an empty list when it is suitable. Answer with "
                    + "JSON only."
            ),
            new(
                ChatRole.User,
                $"Bedtime check for ages {request.AgeBand}. About: {request.Theme}\n\n"
                    + AgeBands.Guidance(request.AgeBand)
                    + $"\n\nPassage:\n{text}"
            ),
        };
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, SchemaName, "Whether a bedtime passage suits"),
            Temperature = 0,
            MaxOutputTokens = 400,
        };
        for (var answer = 1; answer <= 2; answer++)
        {
            var response = await usage.MeterAsync(ownerId, null, BedtimeWriter.UsagePurpose, messages, () =>
                model.Client.GetResponseAsync(messages, options, cancellationToken)
            );
            if (Read(response.Text) is { } verdict)
            {
                return verdict;
            }
        }
        // A model that cannot answer the schema leaves the word list's verdict; the chapter says so.
        return new GuardVerdict(
            true,
            ["the model check gave no readable answer; the word list passed it"],
            "word list"
        );
    }

    private static GuardVerdict? Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (
                root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("suitable", out var suitable)
                || suitable.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
            )
            {
                return null;
            }
            var problems =
                root.TryGetProperty("problems", out var list) && list.ValueKind == JsonValueKind.Array
                    ? list.EnumerateArray()
                        .Where(p => p.ValueKind == JsonValueKind.String)
                        .Select(p => p.GetString()!)
                        .Where(p => p.Length > 0)
                        .Take(10)
                        .ToArray()
                    : [];
            return new GuardVerdict(suitable.GetBoolean(), problems, "model");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\p{L}+")]
    private static partial Regex Word();
}
