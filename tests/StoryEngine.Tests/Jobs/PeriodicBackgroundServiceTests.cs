using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StoryEngine.Server.Jobs;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Jobs;

/// <summary>The timer loop every sweep shares: a tick at start (or after a start delay), one per period, a database
/// outage survived.</summary>
public sealed class PeriodicBackgroundServiceTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(60);

    [Fact]
    public async Task ticks_at_start_then_once_per_period_and_not_before()
    {
        var clock = new FakeTimeProvider();
        using var service = new CountingService(clock, new LogCapture(), fail: false);
        await service.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => service.Ticks == 1, "the first tick runs at start");

        clock.Advance(Period - TimeSpan.FromSeconds(1));
        await Task.Yield();
        Assert.Equal(1, service.Ticks);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => service.Ticks == 2, "the second tick runs a period later");
        clock.Advance(Period);
        await Poll.UntilAsync(() => service.Ticks == 3, "the third tick runs two periods later");

        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task a_sweep_with_a_start_delay_waits_for_it_then_ticks_once_per_period()
    {
        var clock = new FakeTimeProvider();
        var started = clock.GetUtcNow();
        var delay = PeriodicBackgroundService.SweepStartDelay;
        using var service = new CountingService(clock, new LogCapture(), fail: false, delay);
        await service.StartAsync(CancellationToken.None);

        // ExecuteAsync runs on the thread pool, so time moves a second at a time until the first tick.
        await Poll.UntilAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                return service.Ticks == 1;
            },
            "the first tick runs once the delay is over"
        );
        Assert.True(service.FirstTickAt - started >= delay, $"first tick at {service.FirstTickAt - started}");
        clock.Advance(Period);
        await Poll.UntilAsync(() => service.Ticks == 2, "the second tick runs a period after the first");

        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task a_tick_that_finds_the_database_away_is_logged_and_the_next_tick_still_runs()
    {
        var clock = new FakeTimeProvider();
        var logs = new LogCapture();
        using var service = new CountingService(clock, logs, fail: true);
        await service.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => service.Ticks == 1, "the first tick runs at start");
        clock.Advance(Period);
        await Poll.UntilAsync(() => service.Ticks == 2, "the loop outlives a failed tick");

        Assert.Contains(logs.Lines, l =>
            l.StartsWith("Warning", StringComparison.Ordinal)
            && l.Contains("CountingService failed; it will run again at the next interval", StringComparison.Ordinal)
        );
        await service.StopAsync(CancellationToken.None);
        Assert.False(service.ExecuteTask!.IsFaulted);
    }

    private sealed class CountingService(
        TimeProvider clock,
        ILoggerProvider logs,
        bool fail,
        TimeSpan firstTickAfter = default
    ) : PeriodicBackgroundService(Period, clock, logs.CreateLogger(nameof(CountingService)), firstTickAfter)
    {
        private int _ticks;

        public int Ticks => Volatile.Read(ref _ticks);

        public DateTimeOffset FirstTickAt { get; private set; }

        protected override Task TickAsync(CancellationToken stoppingToken)
        {
            if (Interlocked.Increment(ref _ticks) == 1)
            {
                FirstTickAt = Clock.GetUtcNow();
            }
            return fail ? Task.FromException(new DatabaseAway()) : Task.CompletedTask;
        }
    }

    private sealed class DatabaseAway() : DbException("the database is away");
}
