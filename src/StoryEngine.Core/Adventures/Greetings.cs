using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Adventures;

/// <summary>
/// The greetings an adventure can open with: the first character with a first message speaks it, and its alternate
/// greetings are the opening's other alternatives, as SillyTavern offers them as swipes of the first message.
/// Index 0 is the first message, n the n-th alternate greeting.
/// </summary>
internal sealed record Greetings(StoredResource<Character> Speaker, IReadOnlyList<string> Texts)
{
    public static Greetings? Of(IReadOnlyList<StoredResource<Character>> cast) =>
        cast.FirstOrDefault(c => c.Body.FirstMessage.Length > 0) is { } speaker
            ? new Greetings(speaker, [speaker.Body.FirstMessage, .. speaker.Body.AlternateGreetings])
            : null;

    /// <summary>A greetingIndex the adventure cannot open with is the request's fault, named by the field.</summary>
    public static void Check(FieldErrors errors, NewAdventure request, Greetings? greetings)
    {
        if (request.GreetingIndex is not { } index)
        {
            return;
        }
        if (index < 0)
        {
            errors.Add("greetingIndex", "greetingIndex must be 0 or more.");
        }
        else if (!string.IsNullOrWhiteSpace(request.Opening))
        {
            errors.Add("greetingIndex", "Give either an opening or a greetingIndex, not both.");
        }
        else if (greetings is null)
        {
            if (index != 0)
            {
                errors.Add("greetingIndex", "No character of this adventure has a greeting to choose from.");
            }
        }
        else if (index >= greetings.Texts.Count)
        {
            errors.Add("greetingIndex", RangeMessage(greetings.Speaker.Body.Name, greetings.Texts.Count - 1));
        }
    }

    public static string RangeMessage(string name, int alternates) =>
        alternates == 0
            ? $"greetingIndex must be 0: {name} has only a first message."
            : $"greetingIndex must be between 0 and {alternates}: 0 is {name}'s first message, 1–{alternates} "
                + "the alternate greetings.";

    /// <summary>The opening and every other greeting as its alternatives, the chosen one shown.</summary>
    public IEnumerable<IStoryEventPayload> Events(string openingId, int chosen, MacroContext macros)
    {
        var source = $"character:{Speaker.Id}";
        yield return new OpeningWritten(openingId, Macros.Apply(Texts[0], macros), source);
        for (var i = 1; i < Texts.Count; i++)
        {
            yield return new RetryRequested(openingId, i);
            yield return new NarrationCompleted(
                openingId,
                i,
                Macros.Apply(Texts[i], macros),
                source,
                null,
                new TokenUsage(null, null),
                new NarrationTimings(null, 0)
            );
        }
        if (chosen != Texts.Count - 1)
        {
            yield return new AlternativeChosen(openingId, chosen);
        }
    }
}
