using System.CommandLine;
using Microsoft.Extensions.Options;
using StoryEngine.Server.Hosting;
using StoryEngine.Storage;
using StoryEngine.Storage.Backups;

namespace StoryEngine.Server.Cli;

/// <summary><c>storyengine restore PATH [--force] [--keys]</c>: into an empty database of either engine.</summary>
public static class RestoreCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "The backup file" };
        var force = new Option<bool>("--force") { Description = "Replace everything in a database that is not empty" };
        var keys = new Option<bool>("--keys")
        {
            Description =
                "Also put the backup's key folder into {DataDir}/keys "
                + "(a key it replaces is kept as NAME.before-restore)",
        };
        var command = new Command("restore", "Restore a backup into an empty database (stop the server first)")
        {
            path,
            force,
            keys,
        };
        command.SetAction((parse, ct) => BackupCommand.RunAsync(parse, async app =>
                {
                    using var archive = await BackupArchive.OpenAsync(parse.GetValue(path)!, ct);
                    var provider = app.Services.GetRequiredService<IStorageProvider>();
                    Console.WriteLine(
                        $"Checksums match. Restoring a {archive.Manifest.Engine} backup of "
                            + $"{archive.Manifest.CreatedAt:u} "
                            + $"(schema version {archive.Manifest.SchemaVersion}) into {provider.Engine} at "
                            + $"{provider.Target}."
                    );
                    if (parse.GetValue(keys))
                    {
                        RestoreKeys(
                            archive,
                            app.Services.GetRequiredService<IOptions<StoryEngineOptions>>().Value.DataDir
                        );
                    }
                    var result = await new DatabaseRestore(provider).RestoreAsync(
                        archive,
                        parse.GetValue(force),
                        applyLaterMigrations: true,
                        ct
                    );
                    foreach (var table in result.Tables)
                    {
                        Console.WriteLine($"  {table.Name, -28} {table.Rows, 12:N0} rows");
                    }
                    foreach (var skipped in result.Skipped)
                    {
                        Console.WriteLine(
                            $"  {skipped, -28} skipped: not in this engine's schema (rebuilt from other tables)"
                        );
                    }
                    Console.WriteLine($"Restored {result.Tables.Sum(t => t.Rows):N0} rows.");
                    if (
                        !parse.GetValue(keys)
                        && archive.Manifest.Files.Any(f => f.Entry.StartsWith("keys/", StringComparison.Ordinal))
                    )
                    {
                        Console.WriteLine("The backup carries a key folder; pass --keys to restore it too.");
                    }
                    return 0;
                }));
        return command;
    }

    /// <summary>
    /// Every start makes a secrets key when there is none, so a fresh data folder has one already: the backup's key
    /// replaces it (the data was sealed with the backup's key), and the replaced one is kept beside it.
    /// </summary>
    private static void RestoreKeys(BackupArchive archive, string dataDir)
    {
        var files = archive.Manifest.Files.Where(f => f.Entry.StartsWith("keys/", StringComparison.Ordinal)).ToArray();
        if (files.Length == 0)
        {
            throw new BackupException("The backup carries no key folder (it was taken without --include-keys).");
        }
        var root = Path.GetFullPath(Path.Combine(dataDir, "keys"));
        var targets = files
            .Select(f => (File: f, Path: Path.GetFullPath(Path.Combine(root, f.Entry["keys/".Length..]))))
            .ToArray();
        if (targets.Any(t => !t.Path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            throw new BackupException("The backup's key folder names a path outside the key folder; refusing it.");
        }
        foreach (var (file, target) in targets)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (File.Exists(target))
            {
                File.Move(target, target + ".before-restore", overwrite: true);
            }
            using var source = archive.OpenFile(file);
            using var destination = File.Create(target);
            source.CopyTo(destination);
        }
        Console.WriteLine($"Restored {targets.Length} key files into {root}.");
    }
}
