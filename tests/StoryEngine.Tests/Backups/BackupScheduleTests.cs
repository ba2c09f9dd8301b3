using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StoryEngine.Server.Backups;
using StoryEngine.Server.Hosting;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Backups;

/// <summary>Scheduled backups and retention, on a fake clock (issue 16).</summary>
public sealed class BackupScheduleTests : IAsyncDisposable
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-tests",
        "schedule-" + Guid.NewGuid().ToString("N")
    );

    [Fact]
    public async Task hourly_backups_keep_the_newest_per_hour_and_per_day()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 30, 0, TimeSpan.Zero));
        var builder = StoryEngineHost.CreateBuilder(
            new Dictionary<string, string?>
            {
                ["DataDir"] = _dataDir,
                ["Embeddings:Local"] = "false",
                ["Backups:KeepHourly"] = "3",
                ["Backups:KeepDaily"] = "2",
            },
            quietLogs: true
        );
        builder.Services.AddSingleton<TimeProvider>(clock);
        var logs = new LogCapture();
        builder.Logging.AddProvider(logs);
        await using var app = builder.Build();
        await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, CancellationToken.None);
        var status = app.Services.GetRequiredService<BackupStatus>();
        Assert.Equal(TimeSpan.FromHours(1), status.Interval); // the SQLite default

        var scheduler = app.Services.GetRequiredService<BackupScheduler>();
        await scheduler.StartAsync(CancellationToken.None);
        try
        {
            // 50 hours: from 01:00 on 1 March to 02:00 on 3 March.
            for (var hour = 1; hour <= 50; hour++)
            {
                var due = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).AddHours(hour);
                // ExecuteAsync runs on a thread of its own: move the clock only once it waits for this hour.
                await Poll.UntilAsync(() => scheduler.NextRun == due, $"the scheduler waits for {due:u}");
                clock.SetUtcNow(due);
                await Poll.UntilAsync(
                    () =>
                        scheduler.ExecuteTask is { IsCompleted: true } ended
                            ? throw new InvalidOperationException("the scheduler stopped", ended.Exception)
                            : status.Last?.At == due,
                    $"a backup is taken at {due:u}; the log: "
                        + string.Join("\n", logs.Lines.TakeLast(30))
                        + $"; the scheduler: {scheduler.ExecuteTask?.Status} {scheduler.ExecuteTask?.Exception}"
                );
            }
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
        }

        // Hourly: 03-02 00:00, 01:00, 02:00. Daily: the newest of 3 March (02:00) and of 2 March (23:00).
        Assert.Equal(
            ["20260303T020000Z", "20260303T010000Z", "20260303T000000Z", "20260302T230000Z"],
            BackupFolder
                .List(status.Folder)
                .Select(f => Path.GetFileName(f.Path)[BackupFolder.Prefix.Length..^BackupFolder.Suffix.Length])
        );

        clock.Advance(TimeSpan.FromMinutes(10));
        var measured = new Dictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BackupStatus.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, value, _, _) => measured[i.Name] = value);
        listener.SetMeasurementEventCallback<long>((i, value, _, _) => measured[i.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal(600, measured["storyengine.backup.age"], 3);
        Assert.Equal(status.Last!.Bytes, (long)measured["storyengine.backup.size"]);
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        return ValueTask.CompletedTask;
    }
}
