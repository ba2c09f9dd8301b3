using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StoryEngine.Core.Telemetry;

/// <summary>
/// The instruments of the "StoryEngine" meter, named in OpenTelemetry style with UCUM units; the gen_ai ones follow
/// the generative-AI semantic conventions. On /metrics dots become underscores and the unit a suffix
/// (<c>gen_ai.client.operation.duration</c> → <c>gen_ai_client_operation_duration_seconds</c>, counters end in
/// <c>_total</c>). The tag names are the constants below; docs/telemetry.md is the list an operator reads.
/// </summary>
public static class StoryMetrics
{
    public const string OutcomeTag = "outcome";
    public const string BackendTag = "storyengine.backend";
    public const string PurposeTag = "storyengine.purpose";
    public const string ModelTag = "gen_ai.request.model";
    public const string OperationTag = "gen_ai.operation.name";
    public const string TokenTypeTag = "gen_ai.token.type";
    public const string ErrorTypeTag = "error.type";
    public const string JobTypeTag = "job.type";
    public const string JobStateTag = "job.state";
    public const string PolicyTag = "policy";

    private static readonly Meter Meter = StoryTelemetry.Meter;

    /// <summary>Turns by outcome: started, completed, stopped, failed, interrupted.</summary>
    public static readonly Counter<long> Turns = Meter.CreateCounter<long>(
        "storyengine.turns",
        "{turn}",
        "Turns narrated, by outcome (started, completed, stopped, failed, interrupted)"
    );

    public static readonly Histogram<double> TimeToFirstToken = Meter.CreateHistogram(
        "gen_ai.server.time_to_first_token",
        "s",
        "Time from asking the model to its first token of narration",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StoryTelemetry.SecondsBuckets }
    );

    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram(
        "gen_ai.client.operation.duration",
        "s",
        "Duration of a narration's model call, from the request to the last token",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StoryTelemetry.SecondsBuckets }
    );

    public static readonly Histogram<long> TokenUsage = Meter.CreateHistogram(
        "gen_ai.client.token.usage",
        "{token}",
        "Tokens per model call, by gen_ai.token.type (input, output), backend, model and purpose",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = StoryTelemetry.TokenBuckets }
    );

    public static readonly Counter<double> Cost = Meter.CreateCounter<double>(
        "storyengine.model.cost",
        "{currency}",
        "What model calls cost by the price list (Prices:*), in its currency"
    );

    public static readonly Histogram<double> LoreActivation = Meter.CreateHistogram(
        "storyengine.lore.activation.duration",
        "s",
        "Time to decide which lore entries fire for a turn",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StoryTelemetry.SecondsBuckets }
    );

    public static readonly Histogram<double> Recall = Meter.CreateHistogram(
        "storyengine.memory.recall.duration",
        "s",
        "Time to recall earlier turns for a turn's prompt",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StoryTelemetry.SecondsBuckets }
    );

    public static readonly UpDownCounter<long> ActiveStreams = Meter.CreateUpDownCounter<long>(
        "storyengine.streams.active",
        "{stream}",
        "Narration event streams open to clients now"
    );

    public static readonly Counter<long> Reattaches = Meter.CreateCounter<long>(
        "storyengine.streams.reattaches",
        "{stream}",
        "Clients that re-attached to a narration in flight"
    );

    public static readonly Counter<long> GatewayCacheLookups = Meter.CreateCounter<long>(
        "storyengine.gateway.cache.lookups",
        "{call}",
        "Deterministic utility calls looked up in the model gateway's identical-request cache, by result (hit, miss)"
    );

    public static readonly Histogram<double> GatewayQueueWait = Meter.CreateHistogram<double>(
        "storyengine.gateway.queue.wait",
        "s",
        "How long a narration waited in the model gateway's queue before a backend took it"
    );

    public static readonly Counter<long> JobRetries = Meter.CreateCounter<long>(
        "storyengine.jobs.retries",
        "{job}",
        "Job attempts that failed and were scheduled again"
    );

    public static readonly Counter<long> JobDeadLetters = Meter.CreateCounter<long>(
        "storyengine.jobs.dead_letters",
        "{job}",
        "Jobs given up on (dead)"
    );

    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram(
        "storyengine.jobs.duration",
        "s",
        "Time one job attempt ran, by type and outcome",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StoryTelemetry.SecondsBuckets }
    );

    public static readonly Counter<long> RateLimitRejections = Meter.CreateCounter<long>(
        "storyengine.rate_limit.rejections",
        "{request}",
        "Requests refused with 429 by a rate-limit policy"
    );

    /// <summary>One model call's tokens and cost, as the usage ledger meters it (every purpose passes there).</summary>
    public static void RecordModelCall(
        string purpose,
        string? backend,
        string? model,
        long input,
        long output,
        long costMicros
    )
    {
        var operation = purpose == Usage.UsagePurposes.Embedding ? "embeddings" : "chat";
        TagList tags = new()
        {
            { OperationTag, operation },
            { BackendTag, backend ?? "unknown" },
            { ModelTag, model ?? "unknown" },
            { PurposeTag, purpose },
        };
        var inputTags = tags;
        inputTags.Add(TokenTypeTag, "input");
        TokenUsage.Record(input, inputTags);
        if (operation == "chat")
        {
            var outputTags = tags;
            outputTags.Add(TokenTypeTag, "output");
            TokenUsage.Record(output, outputTags);
        }
        Cost.Add(costMicros / 1_000_000d, tags);
    }
}
