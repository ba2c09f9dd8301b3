using System.Globalization;
using System.Text.Json;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Bench.Measurements;

/// <summary>
/// Part of benchmark 1: where a turn's time goes. The storage and prompt steps TurnService takes for one turn are
/// re-enacted one at a time through the same public services, on the largest seeded adventure, and each is timed
/// alone. The sum is not the whole turn (that also has the claim, the hand-off to the narration task, and relaying
/// the tokens), but it shows which step to look at first.
/// </summary>
internal static class TurnPhases
{
    public static async Task<MarkdownTable> MeasureAsync(
        BenchHost host,
        string ownerId,
        string adventureId,
        int samples,
        CancellationToken cancellationToken
    )
    {
        var writer = host.Get<StoryWriter>();
        var log = host.Get<IStoryLog>();
        var inputs = host.Get<NarrationInputs>();
        var contexts = host.Get<ContextBuilder>();
        var settings = host.Get<INarrator>().Settings;
        var phases = new Dictionary<string, List<double>>(StringComparer.Ordinal);

        for (var i = 0; i < samples + 10; i++)
        {
            var record = i >= 10;
            var adventure = await Time(
                "load the adventure header (StoryWriter.LoadAsync; a turn does this " + "4×)",
                () => writer.LoadAsync(ownerId, adventureId, cancellationToken)
            );
            var turnId = Guid.CreateVersion7().ToString();
            var number = adventure.TurnCount + 1;
            await Time("append ActionTaken", () =>
                writer.AppendAsync(
                    adventure,
                    ownerId,
                    [new ActionTaken(turnId, number, "do", BenchStory.Action(number))],
                    cancellationToken
                )
            );
            // Read again, untimed: background jobs of the measured turns (a state change, say) may append meanwhile.
            adventure = await writer.LoadAsync(ownerId, adventureId, cancellationToken);
            var action = new PlayerAction("do", BenchStory.Action(number));
            var input = await Time("load narration inputs (world, cast, persona, place, transcript " + "pages)", () =>
                inputs.LoadAsync(adventure, turnId, action, cancellationToken)
            );
            var context = TimeSync("build the prompt (ContextBuilder.Build)", () => contexts.Build(input, settings));
            var json = TimeSync("serialise the context report", () =>
                JsonSerializer.Serialize(context.Report, StoryEventJson.Options)
            );
            await Time("save the context report (IStoryLog.SaveContextAsync)", async () =>
            {
                await log.SaveContextAsync(adventureId, turnId, 0, json, cancellationToken);
                return true;
            });
            await Time("append NarrationCompleted (reads the turn " + "first)", () =>
                writer.AppendAsync(
                    adventure,
                    ownerId,
                    [
                        new NarrationCompleted(
                            turnId,
                            0,
                            BenchStory.Narration(number),
                            "instant",
                            settings.Model,
                            new TokenUsage(1_500, BenchStory.NarrationTokens),
                            new NarrationTimings(0.1, 1)
                        ),
                    ],
                    cancellationToken
                )
            );

            async Task<T> Time<T>(string name, Func<Task<T>> step)
            {
                var started = Timing.Now();
                var result = await step();
                Add(name, Timing.MsSince(started));
                return result;
            }

            T TimeSync<T>(string name, Func<T> step)
            {
                var started = Timing.Now();
                var result = step();
                Add(name, Timing.MsSince(started));
                return result;
            }

            void Add(string name, double ms)
            {
                if (record)
                {
                    (phases.TryGetValue(name, out var list) ? list : phases[name] = []).Add(ms);
                }
            }
        }

        var table = new MarkdownTable("step (timed alone)", "samples", "p50", "p95", "p99", "max");
        foreach (var (name, list) in phases)
        {
            var p = new Percentiles(list);
            table.Add(
                name,
                p.Count.ToString(CultureInfo.InvariantCulture),
                Percentiles.Ms(p.P50),
                Percentiles.Ms(p.P95),
                Percentiles.Ms(p.P99),
                Percentiles.Ms(p.Max)
            );
        }
        return table;
    }
}
