using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Resources;

/// <summary>
/// The content of one kind of owned, versioned, trashable world data (a world, a location, a character,
/// a persona). The store keeps it as a JSON document next to the few columns it filters on.
/// </summary>
public interface IResourceBody<TSelf>
    where TSelf : IResourceBody<TSelf>
{
    /// <summary>The singular noun used in messages and problem details, e.g. "world".</summary>
    static abstract string Kind { get; }

    string Name { get; }

    /// <summary>What the thing is, in the author's words; lists show its opening (<see
    /// cref="ResourceSummary"/>).</summary>
    string Description { get; }

    /// <summary>Text matched by the list endpoints' <c>q</c> parameter.</summary>
    string SearchText { get; }

    IReadOnlyList<string> Tags { get; }

    /// <summary>Checks what the body can check about itself; cross-resource rules live in <see
    /// cref="IResourceRules{TBody}"/>.</summary>
    void Validate(FieldErrors errors);
}
