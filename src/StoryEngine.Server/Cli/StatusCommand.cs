using System.CommandLine;
using System.Data.Common;
using System.Reflection;
using System.Text.Json;
using StoryEngine.Core.Accounts;
using StoryEngine.Providers.Chain;
using StoryEngine.Server.Health;
using StoryEngine.Storage;
using StoryEngine.Storage.Migrations;

namespace StoryEngine.Server.Cli;

public static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("status", "Show the version, the database and its schema state") { json };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var report = await ReadAsync(app.Services, ct);
                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(JsonSerializer.Serialize(report, JsonSerializerOptions.Web));
                    }
                    else
                    {
                        Console.WriteLine($"Story Engine {report.Version}");
                        Console.WriteLine(
                            $"database: {report.Database.Engine} at {report.Database.Target} "
                                + (
                                    report.Database.Reachable
                                        ? "(reachable)"
                                        : $"(unreachable: {report.Database.Error})"
                                )
                        );
                        Console.WriteLine(
                            $"schema:   version {report.Schema.Current} of {report.Schema.Latest}"
                                + (
                                    report.Schema.Pending > 0
                                        ? $", {report.Schema.Pending} pending: run `storyengine migrate up`"
                                        : ""
                                )
                        );
                        Console.WriteLine($"users:    {report.Users}");
                        Console.WriteLine($"backup:   {BackupLine(report.Backup)}");
                        foreach (var b in report.Backends)
                        {
                            Console.WriteLine(
                                $"backend:  {b.Name} ({b.Kind} {b.Model} at {b.BaseUrl}): {b.State}"
                                    + (b.LastError is null ? "" : " — " + b.LastError)
                            );
                        }
                    }
                    return report.Database.Reachable ? 0 : 1;
                }));
        return command;
    }

    private static async Task<StatusReport> ReadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var provider = services.GetRequiredService<IStorageProvider>();
        var runner = services.GetRequiredService<MigrationRunner>();
        var backends = await BackendsAsync(services, cancellationToken);
        var version = typeof(StatusCommand)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion
            ?? "unknown";
        try
        {
            var current = await runner.CurrentVersionAsync(cancellationToken);
            var users = current > 0 ? await services.GetRequiredService<IUserStore>().CountAsync(cancellationToken) : 0;
            return new StatusReport(
                version,
                new(provider.Engine, provider.Target, true, null),
                new(current, runner.LatestVersion, provider.Migrations.Count(m => m.Version > current)),
                users,
                backends,
                Backup(services)
            );
        }
        catch (DbException e)
        {
            return new StatusReport(
                version,
                new(provider.Engine, provider.Target, false, e.Message),
                new(0, runner.LatestVersion, provider.Migrations.Count),
                0,
                backends,
                Backup(services)
            );
        }
    }

    /// <summary>Probes each narrator backend (a few seconds at most) so the operator sees what answers.</summary>
    private static async Task<IReadOnlyList<BackendReport>> BackendsAsync(
        IServiceProvider services,
        CancellationToken cancellationToken
    )
    {
        var status = await services
            .GetRequiredService<BackendChain>()
            .ProbeWithinAsync(TimeSpan.FromSeconds(5), cancellationToken);
        return status
            .Select(s => new BackendReport(
                s.Name,
                s.Kind,
                s.BaseUrl,
                s.Model,
                s.State.ToString(),
                s.LastError,
                s.LastLatency?.TotalMilliseconds,
                s.Detail
            ))
            .ToArray();
    }

    private static BackupReport Backup(IServiceProvider services)
    {
        var status = services.GetRequiredService<Backups.BackupStatus>();
        return new BackupReport(status.Folder, status.Interval?.ToString(), status.AgeSeconds(), status.Last);
    }

    private static string BackupLine(BackupReport b) =>
        (
            b.Last is null ? "none yet"
            : b.Last.Succeeded ? $"last {b.Last.At:u}, {b.Last.Bytes:N0} bytes"
            : $"last attempt FAILED at {b.Last.At:u}: {b.Last.Error}"
        )
        + (b.LastSuccessAgeSeconds is { } age ? $" ({TimeSpan.FromSeconds(Math.Round(age))} ago)" : "")
        + $"; schedule {b.Schedule ?? "off"}; folder {b.Folder}";

    public sealed record StatusReport(
        string Version,
        DatabaseStatus Database,
        SchemaStatus Schema,
        long Users,
        IReadOnlyList<BackendReport> Backends,
        BackupReport Backup
    );

    public sealed record BackupReport(
        string Folder,
        string? Schedule,
        double? LastSuccessAgeSeconds,
        Backups.BackupOutcome? Last
    );

    public sealed record BackendReport(
        string Name,
        string Kind,
        string BaseUrl,
        string Model,
        string State,
        string? LastError,
        double? LastLatencyMs,
        string? Detail
    );

    public sealed record DatabaseStatus(string Engine, string Target, bool Reachable, string? Error);

    public sealed record SchemaStatus(int Current, int Latest, int Pending);
}
