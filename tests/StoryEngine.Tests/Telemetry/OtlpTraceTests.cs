using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Telemetry;

/// <summary>With the standard OTEL_EXPORTER_OTLP_* settings, a turn's trace reaches an OTLP/HTTP receiver.</summary>
public sealed class OtlpTraceTests
{
    private static readonly string[] TurnSpans =
    [
        "narration",
        "context.load",
        "lore.load",
        "memory.recall",
        "context.build",
        "lore.activate",
        "chat scripted-1",
        "narration.write",
    ];

    [Fact]
    public async Task otlp_receiver_gets_one_trace_per_turn_from_the_request_to_the_model_call_and_the_writes()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await MetricsEndpointTests.WithServerAsync(
            new()
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString().TrimEnd('/'),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            },
            async server =>
            {
                var adventureId = await MetricsEndpointTests.TakeScriptedTurnWithReattachAsync(server);
                var spans = await Poll.UntilAsync(
                    () => Task.FromResult(receiver.Spans),
                    s =>
                        s.Any(x => x.Name == "narration.write" && Trace(s, adventureId) is { } t && x.TraceId == t)
                        && s.Any(x => x.Name == "job memory.index" && x.LinkedTraceIds.Contains(Trace(s, adventureId))),
                    s => "spans so far: " + string.Join(", ", s.Select(x => x.Name).Distinct())
                );

                var traceId = Trace(spans, adventureId)!;
                var trace = spans.Where(s => s.TraceId == traceId).ToList();
                foreach (var name in TurnSpans)
                {
                    Assert.Contains(trace, s => s.Name == name);
                }
                // The narration runs in the background, under the request that took the turn.
                var narration = trace.Single(s => s.Name == "narration");
                var request = trace.Single(s => s.SpanId == narration.ParentSpanId);
                Assert.Equal("POST /api/v1/adventures/{id}/turns/", request.Name);
                var chat = trace.Single(s => s.Name == "chat scripted-1");
                Assert.Equal(narration.SpanId, chat.ParentSpanId);
                Assert.Equal("chat", chat.Attributes["gen_ai.operation.name"]);
                Assert.Equal("scripted-1", chat.Attributes["gen_ai.request.model"]);
                Assert.Equal("6", chat.Attributes["gen_ai.usage.output_tokens"]);
                var input = chat.Attributes["gen_ai.usage.input_tokens"];
                Assert.True(long.Parse(input, System.Globalization.CultureInfo.InvariantCulture) > 0);
                Assert.Contains("stop", chat.Attributes["gen_ai.response.finish_reasons"], StringComparison.Ordinal);
                // The model's HTTP call is a child of the chat span (HttpClient instrumentation).
                Assert.Contains(trace, s => s.ParentSpanId == chat.SpanId);
                // The follow-up job is a trace of its own, linked to the turn's.
                var job = spans.First(s => s.Name == "job memory.index" && s.LinkedTraceIds.Contains(traceId));
                Assert.NotEqual(traceId, job.TraceId);
                await Poll.UntilAsync(() => receiver.OtherExports > 0, "metrics were not exported over OTLP");
            }
        );
    }

    private static string? Trace(IReadOnlyList<OtlpSpan> spans, string adventureId) =>
        spans
            .FirstOrDefault(s =>
                s.Name == "narration" && s.Attributes.GetValueOrDefault("storyengine.adventure.id") == adventureId
            )
            ?.TraceId;
}
