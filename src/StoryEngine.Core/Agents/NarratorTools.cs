using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents;

/// <summary>
/// The narrator's tools for one turn (issue 22; docs/adr/0049-narrator-tools-and-evaluations.md): the registry's
/// narrator tools as <see cref="AIFunction"/>s behind Microsoft.Extensions.AI's
/// <see cref="FunctionInvokingChatClient"/>, with a bounded loop: at most
/// <see cref="NarratorSettings.MaxToolCalls"/> calls and <see cref="NarratorSettings.ToolTimeBudget"/> in all; a call
/// past either is refused and the model told to write. The last round is sent without tools (the client's own rule),
/// so the turn always ends in text. Text still streams.
/// </summary>
public sealed class NarratorTools(ToolRegistry registry, IServiceProvider services)
{
    /// <summary>The longest tool result kept in a <see cref="ToolCalled"/> event, in characters.</summary>
    public const int MaxRecordedResult = 4_000;

    /// <summary>A turn's tools, or null when the narrator's backends take none (prompt-only narration).</summary>
    public TurnTools? For(NarratorSettings settings, IChatClient client, string ownerId, ToolTurn turn)
    {
        if (!settings.UsesTools)
        {
            return null;
        }
        return new TurnTools(registry, services, settings, client, ToolCaller.WithAllScopes(ownerId), turn);
    }
}

/// <summary>The tools of one narration: the client to call, the options to send, and the calls made.</summary>
public sealed class TurnTools
{
    private readonly ToolRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly NarratorSettings _settings;
    private readonly ToolCaller _caller;
    private readonly List<ToolCalled> _calls = [];
    private readonly Lock _lock = new();
    private long? _firstCall;

    internal TurnTools(
        ToolRegistry registry,
        IServiceProvider services,
        NarratorSettings settings,
        IChatClient inner,
        ToolCaller caller,
        ToolTurn turn
    )
    {
        _registry = registry;
        _services = services;
        _settings = settings;
        _caller = caller;
        Turn = turn;
        Client = new FunctionInvokingChatClient(inner)
        {
            MaximumIterationsPerRequest = settings.MaxToolCalls + 1, // a round that is refused, then one without tools
            AllowConcurrentInvocation = false,
            IncludeDetailedErrors = false,
        };
        Functions = [.. registry.For(ToolAudience.Narrator).Select(t => (AITool)new RegistryFunction(t, this))];
    }

    public ToolTurn Turn { get; }

    public IChatClient Client { get; }

    public IReadOnlyList<AITool> Functions { get; }

    /// <summary>The options with the tools added (left to the model to call or not).</summary>
    public ChatOptions With(ChatOptions? options)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        copy.Tools = [.. copy.Tools ?? [], .. Functions];
        copy.ToolMode = ChatToolMode.Auto;
        copy.AllowMultipleToolCalls ??= false;
        return copy;
    }

    /// <summary>The calls so far, in order, as story events.</summary>
    public IReadOnlyList<ToolCalled> Calls()
    {
        lock (_lock)
        {
            return [.. _calls];
        }
    }

    private async ValueTask<string> InvokeAsync(AgentTool tool, JsonElement arguments, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        ToolResult result;
        lock (_lock)
        {
            _firstCall ??= started;
        }
        if (Calls().Count >= _settings.MaxToolCalls)
        {
            result = ToolResult.Error(
                "tool_limit",
                $"No more tool calls this turn (at most {_settings.MaxToolCalls}). Write the narration now."
            );
        }
        else if (Stopwatch.GetElapsedTime(_firstCall!.Value) > _settings.ToolTimeBudget)
        {
            result = ToolResult.Error("tool_time_budget", "The time for tool calls is spent. Write the narration now.");
        }
        else
        {
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            budget.CancelAfter(_settings.ToolTimeBudget);
            try
            {
                result = await _registry.InvokeAsync(
                    tool.Name,
                    new ToolCall(arguments, _caller, _services, Turn),
                    ToolAudience.Narrator,
                    budget.Token
                );
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                result = ToolResult.Error("tool_time_budget", "The tool took too long. Write the narration now.");
            }
        }
        var text = result.Text;
        lock (_lock)
        {
            _calls.Add(
                new ToolCalled(
                    Turn.TurnId,
                    Turn.Alternative,
                    tool.Name,
                    arguments,
                    text.Length <= NarratorTools.MaxRecordedResult ? text : text[..NarratorTools.MaxRecordedResult],
                    result.ErrorCode,
                    Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1)
                )
            );
        }
        return text;
    }

    /// <summary>A registry tool as the model sees it: its narrator schema, its result as JSON text.</summary>
    private sealed class RegistryFunction(AgentTool tool, TurnTools owner) : AIFunction
    {
        private readonly JsonElement _schema = tool.NarratorSchema();

        public override string Name => tool.Name;

        public override string Description => tool.Description;

        public override JsonElement JsonSchema => _schema;

        protected override async ValueTask<object?> InvokeCoreAsync(
            AIFunctionArguments arguments,
            CancellationToken cancellationToken
        ) =>
            await owner.InvokeAsync(
                tool,
                JsonSerializer.SerializeToElement(arguments.ToDictionary(a => a.Key, a => a.Value), ToolJson.Options),
                cancellationToken
            );
    }
}
