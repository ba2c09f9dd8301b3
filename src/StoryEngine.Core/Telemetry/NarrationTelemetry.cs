using System.Diagnostics;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Telemetry;

/// <summary>
/// The trace and metrics of one narration, so that TurnService needs only a few hook lines. Its span
/// ("narration") is a child of the request that took the turn: the background task inherits the request's
/// <see cref="Activity.Current"/> with its execution context. Under it come the context and lore spans, a gen_ai
/// client span <c>chat {model}</c> around the model call, and "narration.write" around what is stored afterwards;
/// the follow-up jobs queued there are linked to it (<see cref="JobTelemetry"/>).
/// </summary>
public sealed class NarrationTelemetry : IDisposable
{
    private readonly Activity? _narration;
    private Activity? _chat;
    private Activity? _write;
    private long _callStarted;

    private NarrationTelemetry(TurnRun run)
    {
        _narration = StoryTelemetry.Source.StartActivity("narration", ActivityKind.Internal);
        _narration?.SetTag("storyengine.adventure.id", run.AdventureId);
        _narration?.SetTag("storyengine.turn.id", run.TurnId);
        _narration?.SetTag("storyengine.turn.alternative", run.Alternative);
    }

    /// <summary>A narration begins: counts the turn as started, opens its span under the request's.</summary>
    public static NarrationTelemetry Start(TurnRun run)
    {
        StoryMetrics.Turns.Add(1, new KeyValuePair<string, object?>(StoryMetrics.OutcomeTag, "started"));
        return new NarrationTelemetry(run);
    }

    /// <summary>The model is asked now: opens the gen_ai client span (semantic conventions: "chat {model}").</summary>
    public void ModelCallStarting(string? model)
    {
        _callStarted = Stopwatch.GetTimestamp();
        _chat = StoryTelemetry.Source.StartActivity($"chat {model}".TrimEnd(), ActivityKind.Client);
        _chat?.SetTag(StoryMetrics.OperationTag, "chat");
        _chat?.SetTag(StoryMetrics.ModelTag, model);
    }

    /// <summary>
    /// The model call ended with <paramref name="outcome"/>: closes the chat span with what the backend reported,
    /// records the call's latencies and the turn's outcome, and opens the "narration.write" span for the rest.
    /// </summary>
    public void ModelCallEnded(
        IStoryEventPayload outcome,
        string? backend,
        string? model,
        long? inputTokens,
        long? outputTokens,
        double? firstTokenMs
    )
    {
        var (name, finish, error) = outcome switch
        {
            NarrationCompleted { Stopped: true } => ("stopped", "cancelled", null),
            NarrationCompleted => ("completed", "stop", null),
            NarrationFailed f => ("failed", "error", f.Code),
            NarrationInterrupted => ("interrupted", "cancelled", "interrupted"),
            _ => ("failed", "error", "unknown"),
        };
        StoryMetrics.Turns.Add(1, new KeyValuePair<string, object?>(StoryMetrics.OutcomeTag, name));
        if (_callStarted != 0)
        {
            TagList tags = new()
            {
                { StoryMetrics.OperationTag, "chat" },
                { StoryMetrics.BackendTag, backend ?? "unknown" },
                { StoryMetrics.ModelTag, model ?? "unknown" },
            };
            if (firstTokenMs is { } ms)
            {
                StoryMetrics.TimeToFirstToken.Record(ms / 1000, tags);
            }
            if (error is not null)
            {
                tags.Add(StoryMetrics.ErrorTypeTag, error);
            }
            StoryMetrics.OperationDuration.Record(Stopwatch.GetElapsedTime(_callStarted).TotalSeconds, tags);
        }
        if (_chat is { } chat)
        {
            chat.SetTag("gen_ai.response.model", model);
            chat.SetTag(StoryMetrics.BackendTag, backend);
            chat.SetTag("gen_ai.usage.input_tokens", inputTokens);
            chat.SetTag("gen_ai.usage.output_tokens", outputTokens);
            chat.SetTag("gen_ai.response.finish_reasons", new[] { finish });
            if (error is not null)
            {
                chat.SetTag(StoryMetrics.ErrorTypeTag, error);
                chat.SetStatus(ActivityStatusCode.Error, error);
            }
            chat.Dispose();
        }
        _narration?.SetTag("storyengine.turn.outcome", name);
        _write = StoryTelemetry.Source.StartActivity("narration.write", ActivityKind.Internal);
    }

    public void Dispose()
    {
        _write?.Dispose();
        _narration?.Dispose();
    }
}
