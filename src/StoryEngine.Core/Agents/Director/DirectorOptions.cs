namespace StoryEngine.Core.Agents.Director;

/// <summary>Settings under <c>Director</c> (docs/configuration.md).</summary>
public sealed class DirectorOptions
{
    public const string Section = "Director";

    /// <summary>Whether the director reviews adventures that have active goals.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A review after every this many turns of an adventure with active goals.</summary>
    public int EveryTurns { get; set; } = 3;

    /// <summary>The most turns one review reads (the newest ones since the last review).</summary>
    public int MaxTurnsPerReview { get; set; } = 12;

    /// <summary>The most goals an adventure may have (ended ones count too).</summary>
    public int MaxGoals { get; set; } = 20;

    /// <summary>The most tasks one goal may have.</summary>
    public int MaxTasks { get; set; } = 20;
}
