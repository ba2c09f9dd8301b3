using Microsoft.Extensions.Options;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Backups;

/// <summary>Settings under <c>Backups</c> (docs/configuration.md, docs/operations.md).</summary>
public sealed class BackupOptions
{
    public const string Section = "Backups";

    /// <summary>
    /// <c>hourly</c>, <c>daily</c>, <c>off</c>, or an interval such as <c>30m</c> or <c>6h</c>. Empty: hourly on
    /// SQLite, off on PostgreSQL, where operators usually back up with their own tooling.
    /// </summary>
    public string? Schedule { get; set; }

    /// <summary>Where backups go; default <c>{DataDir}/backups</c>.</summary>
    public string? Folder { get; set; }

    /// <summary>The newest backup of each of this many most recent hours is kept.</summary>
    public int KeepHourly { get; set; } = 24;

    /// <summary>The newest backup of each of this many most recent days is kept.</summary>
    public int KeepDaily { get; set; } = 7;

    /// <summary>Carry the key folder in scheduled backups (<c>--include-keys</c> for the command).</summary>
    public bool IncludeKeys { get; set; }

    /// <summary>The interval, or null when scheduled backups are off.</summary>
    public TimeSpan? Interval(bool postgres) =>
        ParseSchedule(string.IsNullOrWhiteSpace(Schedule) ? (postgres ? "off" : "hourly") : Schedule);

    public string ResolveFolder(StoryEngineOptions storage) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(Folder) ? Path.Combine(storage.DataDir, "backups") : Folder);

    /// <summary>Null for off; throws <see cref="FormatException"/> for anything it does not understand.</summary>
    public static TimeSpan? ParseSchedule(string value)
    {
        var v = value.Trim().ToLowerInvariant();
        if (v is "hourly")
        {
            return TimeSpan.FromHours(1);
        }
        if (v is "daily")
        {
            return TimeSpan.FromDays(1);
        }
        if (v is "off" or "none" or "false")
        {
            return null;
        }
        if (
            v.Length > 1
            && int.TryParse(v[..^1], System.Globalization.CultureInfo.InvariantCulture, out var n)
            && n > 0
        )
        {
            switch (v[^1])
            {
                case 'm' when n >= 5:
                    return TimeSpan.FromMinutes(n);
                case 'h':
                    return TimeSpan.FromHours(n);
                case 'd':
                    return TimeSpan.FromDays(n);
                default:
                    break;
            }
        }
        throw new FormatException(
            $"'{value}' is not a schedule: use hourly, daily, off, or an interval such as 30m, 6h, 2d (at least 5m)."
        );
    }
}

public sealed class BackupOptionsValidator : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Schedule))
        {
            try
            {
                _ = BackupOptions.ParseSchedule(options.Schedule);
            }
            catch (FormatException e)
            {
                failures.Add($"Backups:Schedule: {e.Message}");
            }
        }
        if (options.KeepHourly is < 0 or > 10_000)
        {
            failures.Add($"Backups:KeepHourly must be between 0 and 10000 (got {options.KeepHourly}).");
        }
        if (options.KeepDaily is < 0 or > 10_000)
        {
            failures.Add($"Backups:KeepDaily must be between 0 and 10000 (got {options.KeepDaily}).");
        }
        if (options.KeepHourly + options.KeepDaily == 0)
        {
            failures.Add("Backups:KeepHourly and Backups:KeepDaily cannot both be 0: every backup would be deleted.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
