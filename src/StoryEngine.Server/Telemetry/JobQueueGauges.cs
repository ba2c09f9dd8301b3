using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using StoryEngine.Core;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Telemetry;

namespace StoryEngine.Server.Telemetry;

/// <summary>
/// <c>storyengine.jobs.queue.depth</c> and <c>storyengine.jobs.queue.oldest_age</c> per job type and unfinished
/// state (queued, running, failed). Observable callbacks are synchronous and our stores are not, so a scrape reads
/// the latest counts and, when they are older than <see cref="MaxAge"/>, starts one cheap grouped query for the next
/// scrape (never blocking on it). Every known type and state is reported, with zeros, so an empty queue shows as 0
/// rather than as a missing series. The meter is the process's (see <see cref="BackendGauges"/> for why).
/// </summary>
public sealed partial class JobQueueGauges(
    IJobStore store,
    JobHandlers handlers,
    TimeProvider clock,
    ILogger<JobQueueGauges> logger
) : IHostedService
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private static readonly string[] UnfinishedStates = [JobStates.Queued, JobStates.Running, JobStates.Failed];
    private readonly IReadOnlyList<string> _types = handlers.Types;
    private readonly Lock _lock = new();
    private IReadOnlyList<JobQueueCount> _counts = [];
    private long _countedAt;
    private static readonly Meter Meter = new("StoryEngine.Jobs");
    private static readonly ConcurrentDictionary<JobQueueGauges, byte> Running = new();
    private Task _refreshing = Task.CompletedTask;

    static JobQueueGauges()
    {
        Meter.CreateObservableGauge(
            "storyengine.jobs.queue.depth",
            () => Running.Keys.SelectMany(g => g.ObserveDepth()),
            "{job}",
            "Unfinished jobs by type and state (queued, running, failed)"
        );
        Meter.CreateObservableGauge(
            "storyengine.jobs.queue.oldest_age",
            () => Running.Keys.SelectMany(g => g.ObserveAge()),
            "s",
            "Age of the oldest unfinished job by type and state, 0 when there is none"
        );
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Running[this] = 0;
        Refresh();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Running.TryRemove(this, out _);
        return _refreshing;
    }

    private IEnumerable<Measurement<long>> ObserveDepth() =>
        Rows().Select(r => new Measurement<long>(r.Count?.Count ?? 0, Tags(r.Type, r.State)));

    private IEnumerable<Measurement<double>> ObserveAge()
    {
        var now = clock.GetUtcNow();
        return Rows()
            .Select(r => new Measurement<double>(
                r.Count is { } c ? Math.Max(0, (now - c.OldestCreatedAt).TotalSeconds) : 0,
                Tags(r.Type, r.State)
            ));
    }

    private List<(string Type, string State, JobQueueCount? Count)> Rows()
    {
        Refresh();
        IReadOnlyList<JobQueueCount> counts;
        lock (_lock)
        {
            counts = _counts;
        }
        var rows = new List<(string, string, JobQueueCount?)>();
        foreach (var type in _types.Union(counts.Select(c => c.Type)))
        {
            foreach (var state in UnfinishedStates)
            {
                rows.Add((type, state, counts.FirstOrDefault(c => c.Type == type && c.State == state)));
            }
        }
        return rows;
    }

    private void Refresh()
    {
        lock (_lock)
        {
            var fresh = _countedAt != 0 && Stopwatch.GetElapsedTime(_countedAt) < MaxAge;
            if (fresh || !_refreshing.IsCompleted)
            {
                return;
            }
            _countedAt = Stopwatch.GetTimestamp();
            _refreshing = CountAsync();
        }
    }

    private async Task CountAsync()
    {
        try
        {
            var counts = await store.CountUnfinishedAsync(CancellationToken.None);
            lock (_lock)
            {
                _counts = counts;
            }
        }
        catch (DbException e)
        {
            LogSampleFailed(logger, e); // the gauges keep their last counts; the next scrape tries again
        }
        catch (InvalidOperationException e)
        {
            LogSampleFailed(logger, e); // e.g. the tables are not migrated yet
        }
    }

    private static TagList Tags(string type, string state) =>
        new() { { StoryMetrics.JobTypeTag, type }, { StoryMetrics.JobStateTag, state } };

    [LoggerMessage(
        EventId = LogEvents.Telemetry.JobSampleFailed,
        Level = LogLevel.Warning,
        Message = "Could not count the job queue for /metrics; the gauges keep their last values"
    )]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
