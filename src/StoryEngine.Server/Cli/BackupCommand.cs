using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StoryEngine.Server.Backups;
using StoryEngine.Storage.Backups;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>storyengine backup [--out PATH] [--include-keys]</c>, <c>backup verify PATH</c>, <c>backup list</c>.
/// </summary>
public static class BackupCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out")
        {
            Description = "Where to write the backup (default: a new file in Backups:Folder)",
        };
        var includeKeys = new Option<bool>("--include-keys")
        {
            Description = "Carry the key folder too: without the secrets key, two-factor enrolments cannot be opened",
        };
        var command = new Command(
            "backup",
            "Write a consistent, compressed backup of the database while the server runs"
        )
        {
            output,
            includeKeys,
            Verify(),
            List(),
        };
        command.SetAction((parse, ct) => RunAsync(parse, async app =>
                {
                    var (path, manifest, bytes) = await app
                        .Services.GetRequiredService<BackupService>()
                        .TakeAsync(parse.GetValue(output), parse.GetValue(includeKeys), ct);
                    Console.WriteLine(
                        $"Wrote {path}: {bytes:N0} bytes, {manifest.Tables.Count} tables, {manifest.TotalRows:N0} "
                            + "rows, "
                            + $"{manifest.Engine} schema version {manifest.SchemaVersion}"
                            + (
                                manifest.Files.Any(f => f.Entry.StartsWith("keys/", StringComparison.Ordinal))
                                    ? ", with the key folder."
                                    : "."
                            )
                    );
                    return 0;
                }));
        return command;
    }

    private static Command Verify()
    {
        var path = new Argument<string>("path") { Description = "The backup file" };
        var command = new Command("verify", "Restore a backup into a temporary database and compare every table")
        {
            path,
        };
        command.SetAction((parse, ct) => RunAsync(parse, async app =>
                {
                    using var archive = await BackupArchive.OpenAsync(parse.GetValue(path)!, ct);
                    Console.WriteLine(
                        $"Checksums match: {archive.Manifest.Tables.Count} tables, {archive.Manifest.Files.Count} "
                            + "files."
                    );
                    var result = await app.Services.GetRequiredService<BackupVerifier>().VerifyAsync(archive, ct);
                    foreach (var skipped in result.Restore.Skipped)
                    {
                        Console.WriteLine($"  {skipped}: not in this engine's schema (rebuilt from other tables)");
                    }
                    if (result.Differences.Count > 0)
                    {
                        foreach (var difference in result.Differences)
                        {
                            Console.Error.WriteLine($"  differs: {difference}");
                        }
                        return CliHost.UsageError(
                            $"verify failed: {result.Differences.Count} tables differ after a restore."
                        );
                    }
                    Console.WriteLine(
                        $"Verified: {result.Restore.Tables.Count} tables, "
                            + $"{result.Restore.Tables.Sum(t => t.Rows):N0} rows "
                            + "restored into a temporary database and read back identical."
                    );
                    return 0;
                }));
        return command;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("list", "List the backups in the backup folder, newest first") { json };
        command.SetAction((parse, ct) => RunAsync(parse, async app =>
                {
                    var status = app.Services.GetRequiredService<BackupStatus>();
                    var items = new List<object>();
                    foreach (var file in BackupFolder.List(status.Folder))
                    {
                        var manifest = await BackupFolder.ManifestAsync(file.Path, ct);
                        items.Add(
                            new
                            {
                                File = file.Path,
                                file.TakenAt,
                                file.Bytes,
                                manifest?.Engine,
                                manifest?.SchemaVersion,
                                Rows = manifest?.TotalRows,
                                Keys = manifest?.Files.Any(f => f.Entry.StartsWith("keys/", StringComparison.Ordinal)),
                                Readable = manifest is not null,
                            }
                        );
                        if (!parse.GetValue(json))
                        {
                            Console.WriteLine(
                                manifest is null
                                    ? $"{file.TakenAt:u}  {file.Bytes, 14:N0} B  UNREADABLE  {file.Path}"
                                    : $"{file.TakenAt:u}  {file.Bytes, 14:N0} B  {manifest.Engine, -8} "
                                        + $"v{manifest.SchemaVersion, -3} "
                                        + $"{manifest.TotalRows, 12:N0} rows  {file.Path}"
                            );
                        }
                    }
                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(JsonSerializer.Serialize(items, JsonSerializerOptions.Web));
                    }
                    else if (items.Count == 0)
                    {
                        Console.WriteLine($"No backups in {status.Folder}.");
                    }
                    return 0;
                }));
        return command;
    }

    /// <summary>Runs on the shared host, turning a refused or damaged backup and bad Backups:* settings into
    /// messages.</summary>
    public static Task<int> RunAsync(ParseResult parse, Func<WebApplication, Task<int>> command) =>
        CliHost.RunAsync(parse, async app =>
        {
            try
            {
                _ = app.Services.GetRequiredService<IOptions<BackupOptions>>().Value;
            }
            catch (OptionsValidationException e)
            {
                return CliHost.ConfigurationError(string.Join(" ", e.Failures));
            }
            try
            {
                return await command(app);
            }
            catch (BackupException e)
            {
                return CliHost.UsageError(e.Message);
            }
            catch (IOException e)
            {
                return CliHost.UsageError(e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                return CliHost.UsageError(e.Message);
            }
        });
}
