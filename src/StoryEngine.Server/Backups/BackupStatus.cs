using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Backups;

/// <summary>The last backup attempt as /health, the admin API and `storyengine status` show it.</summary>
public sealed record BackupOutcome(
    bool Succeeded,
    DateTimeOffset At,
    string? Path,
    long? Bytes,
    double? Seconds,
    long? Rows,
    string? Error
);

/// <summary>
/// The last attempt, kept in <c>{folder}/last-backup.json</c> so that every process (the server, the CLI, another
/// node sharing the folder) sees the same answer; and the meter <c>StoryEngine.Backups</c> for /metrics.
/// </summary>
public sealed class BackupStatus
{
    public const string MeterName = "StoryEngine.Backups";
    private const string FileName = "last-backup.json";
    private readonly TimeProvider _time;

    public BackupStatus(
        IOptions<BackupOptions> options,
        IOptions<StoryEngineOptions> storage,
        TimeProvider time,
        IMeterFactory meters
    )
    {
        _time = time;
        Folder = options.Value.ResolveFolder(storage.Value);
        Interval = options.Value.Interval(storage.Value.UsesPostgres);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge(
            "storyengine.backup.age",
            () => AgeSeconds() is { } age ? [new Measurement<double>(age)] : Array.Empty<Measurement<double>>(),
            unit: "s",
            description: "Seconds since the last successful backup"
        );
        meter.CreateObservableGauge(
            "storyengine.backup.size",
            () => LastSuccess()?.Bytes is { } bytes ? [new Measurement<long>(bytes)] : Array.Empty<Measurement<long>>(),
            unit: "By",
            description: "Size of the last successful backup"
        );
    }

    public string Folder { get; }

    /// <summary>The schedule's interval; null when scheduled backups are off.</summary>
    public TimeSpan? Interval { get; }

    public BackupOutcome? Last => Read()?.Last;

    public BackupOutcome? LastSuccess() => Read()?.LastSuccess;

    public double? AgeSeconds() => LastSuccess() is { } ok ? (_time.GetUtcNow() - ok.At).TotalSeconds : null;

    public void Record(BackupOutcome outcome)
    {
        var record = new StatusFile(outcome, outcome.Succeeded ? outcome : Read()?.LastSuccess);
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, FileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(record, JsonSerializerOptions.Web));
        File.Move(temporary, path, overwrite: true);
    }

    private StatusFile? Read()
    {
        var path = Path.Combine(Folder, FileName);
        try
        {
            return File.Exists(path)
                ? JsonSerializer.Deserialize<StatusFile>(File.ReadAllText(path), JsonSerializerOptions.Web)
                : null;
        }
        catch (JsonException)
        {
            return null; // a hand-edited or foreign file: as if no backup had been recorded
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed record StatusFile(BackupOutcome Last, BackupOutcome? LastSuccess);
}
