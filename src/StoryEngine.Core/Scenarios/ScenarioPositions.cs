using System.Security.Cryptography;
using System.Text;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Scenarios;

/// <summary>Where an adventure stands in its scenario: the scene, the flags set so far, the choices open now.</summary>
public sealed record ScenarioPosition(
    string ScenarioId,
    int Version,
    Scenario Scenario,
    ScenarioNode Node,
    IReadOnlyDictionary<string, string> Flags,
    IReadOnlyList<ScenarioEdge> Choices,
    IReadOnlyList<string> Path,
    SceneChoice? LastChoice
)
{
    public bool Ended => Node.Ending;
}

/// <summary>
/// Folds an adventure's scenario events into its position. Only <see cref="ScenarioStarted"/>, <see
/// cref="SceneChoice"/> and <see cref="TurnUndone"/> are read; a choice whose turn was undone does not count, and a
/// fork carries the events of the turns it kept, so every branch has its own position without extra state.
/// </summary>
public sealed class ScenarioPositions(IStoryLog log, IScenarioVersionStore versions)
{
    private static readonly string[] Types = [nameof(ScenarioStarted), nameof(SceneChoice), nameof(TurnUndone)];

    /// <summary>Null when the adventure plays no scenario.</summary>
    public async Task<ScenarioPosition?> GetAsync(
        string ownerId,
        string adventureId,
        CancellationToken cancellationToken
    )
    {
        var events = new List<StoryEvent>();
        for (var after = 0L; ; )
        {
            var page = await log.ReadFewAsync(adventureId, after, Types, 1000, cancellationToken);
            events.AddRange(page);
            if (page.Count < 1000)
            {
                break;
            }
            after = page[^1].Sequence;
        }
        var started = events.FirstOrDefault(e => e.Type == nameof(ScenarioStarted))?.Read<ScenarioStarted>();
        if (started is null)
        {
            return null;
        }
        var version = await versions.GetAsync(ownerId, started.ScenarioId, started.Version, cancellationToken);
        if (version is null)
        {
            return null; // the scenario was purged: the adventure goes on as a free story
        }
        return Fold(adventureId, started, version.Body, events);
    }

    public static ScenarioPosition Fold(
        string adventureId,
        ScenarioStarted started,
        Scenario scenario,
        IReadOnlyList<StoryEvent> events
    )
    {
        var undone = events
            .Where(e => e.Type == nameof(TurnUndone))
            .Select(e => e.Read<TurnUndone>().TurnId)
            .ToHashSet(StringComparer.Ordinal);
        var flags = new Dictionary<string, string>(scenario.Flags, StringComparer.Ordinal);
        var node = scenario.Node(started.StartNodeId) ?? scenario.Nodes[0];
        Apply(node, flags);
        var path = new List<string> { node.Id };
        SceneChoice? last = null;
        long entered = 0;
        foreach (var e in events.Where(e => e.Type == nameof(SceneChoice)))
        {
            var choice = e.Read<SceneChoice>();
            if (undone.Contains(choice.TurnId))
            {
                continue;
            }
            last = choice;
            if (choice.EdgeId is null || scenario.Node(choice.ToNodeId) is not { } next)
            {
                continue;
            }
            node = next;
            entered = e.Sequence;
            Apply(node, flags);
            path.Add(node.Id);
        }
        var roll = Roller(adventureId, entered);
        var choices = node.Ending
            ? []
            : scenario
                .Edges.Where(x => x.From == node.Id && scenario.Node(x.To) is not null)
                .Where(x => ScenarioConditions.Holds(x.Condition, flags, roll))
                .ToArray();
        return new(started.ScenarioId, started.Version, scenario, node, flags, choices, path, last);
    }

    private static void Apply(ScenarioNode node, Dictionary<string, string> flags)
    {
        foreach (var effect in node.Effects)
        {
            switch (effect.Op)
            {
                case "clear":
                    flags.Remove(effect.Flag);
                    break;
                case "add":
                    var now =
                        flags.TryGetValue(effect.Flag, out var v)
                        && double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n)
                            ? n
                            : 0;
                    var by = double.TryParse(effect.Value, System.Globalization.CultureInfo.InvariantCulture, out var d)
                        ? d
                        : 1;
                    flags[effect.Flag] = (now + by).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    flags[effect.Flag] = effect.Value ?? "true";
                    break;
            }
        }
    }

    // A roll in a condition is the same every time the position is read (and on replay): seeded by the adventure and
    // the event that entered the scene.
    private static Func<int, int> Roller(string adventureId, long entered)
    {
        var seed = BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{adventureId}:{entered}")));
        var random = new Random(seed);
        return sides => random.Next(1, sides + 1);
    }
}

/// <summary>Publishing or playing a scenario whose validation finds errors (issue 24); the findings say
/// which.</summary>
public sealed class ScenarioHasErrorsException(IReadOnlyList<ScenarioFinding> findings)
    : Errors.StoryEngineException(
        ProblemCode,
        "The scenario has validation errors: "
            + string.Join(" ", findings.Where(f => f.Severity == ScenarioFinding.Error).Select(f => f.Message))
    )
{
    public const string ProblemCode = "scenario_has_errors";

    public IReadOnlyList<ScenarioFinding> Findings { get; } = findings;
}

/// <summary>How an adventure begins a scenario: its newest version, checked, from its start scene.</summary>
public sealed class ScenarioStarts(Resources.IResourceStore<Scenario> scenarios, IScenarioVersionStore versions)
{
    public async Task<(ScenarioStarted Started, ScenarioNode Start)> StartAsync(
        string ownerId,
        string worldId,
        string scenarioId,
        CancellationToken cancellationToken
    )
    {
        var found = await scenarios.GetAsync(new(ownerId, worldId), scenarioId, cancellationToken);
        if (found is not { DeletedAt: null })
        {
            throw Errors.ValidationFailedException.For(
                "scenarioId",
                $"No scenario with id '{scenarioId}' exists in this world."
            );
        }
        var findings = ScenarioValidator.Validate(found.Body);
        if (ScenarioValidator.HasErrors(findings))
        {
            throw new ScenarioHasErrorsException(findings);
        }
        var version = await versions.AppendIfChangedAsync(
            ownerId,
            found.Id,
            found.Body,
            found.UpdatedAt,
            cancellationToken
        );
        var start = found.Body.Node(found.Body.StartNodeId)!;
        return (new ScenarioStarted(found.Id, version, start.Id), start);
    }
}
