namespace StoryEngine.Core.Stories;

/// <summary>What a player asks of a story: <see cref="TurnDecider"/> makes it events or a refusal.</summary>
public abstract record TurnCommand;

/// <summary>Act: a new turn numbered after the others. <see cref="TurnId"/> is chosen by the caller.</summary>
public sealed record TakeTurn(string TurnId, string Kind, string Text) : TurnCommand
{
    /// <summary>Events recorded with the action, after it, in the same append (a scenario's move along a choice, issue
    /// 24): they stand and fall with the turn.</summary>
    public IReadOnlyList<IStoryEventPayload> With { get; init; } = [];
}

/// <summary>Narrate the named turn again as a new alternative.</summary>
public sealed record RetryTurn(string TurnId) : TurnCommand;

/// <summary>Make one of a turn's alternatives the one the story goes on from.</summary>
public sealed record ChooseAlternative(string TurnId, int? Alternative) : TurnCommand;

/// <summary>Correct a turn's player text, its chosen narration, or both (their lengths are checked before).</summary>
public sealed record EditTurn(string TurnId, string? PlayerText, string? Narration) : TurnCommand;

/// <summary>Show another greeting as the opening (<see cref="Index"/> 0: the first message), before any turn.</summary>
public sealed record ChooseGreeting(int? Index) : TurnCommand;

/// <summary>Take back the newest standing turn.</summary>
public sealed record UndoTurn : TurnCommand;

/// <summary>What was decided: the events to append, and the turn and alternative a narration would fill.</summary>
public sealed record TurnDecision(IReadOnlyList<IStoryEventPayload> Events, string TurnId, int Alternative);
