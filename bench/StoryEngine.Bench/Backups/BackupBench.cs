using System.Diagnostics;
using System.Globalization;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Adventures;
using StoryEngine.Server.Backups;
using StoryEngine.Storage;
using StoryEngine.Storage.Backups;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;

namespace StoryEngine.Bench.Backups;

/// <summary>
/// The backup benchmark of issue 16 (bench/backup.sh): seeds a database of N adventures × M turns through the story
/// log (as the narrator bench seeds), then times what an operator's recovery is made of — <c>storyengine backup</c>,
/// <c>backup verify</c> and <c>restore</c> into an empty database — through the same services those commands call.
/// </summary>
internal static class BackupBench
{
    public const string Usage =
        "usage: StoryEngine.Bench backup [--postgres CONNECTION] [--adventures N] [--turns N] [--writers N]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        string? postgres = null;
        int adventures = 10_000,
            turns = 100,
            writers = 2;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            var number = int.TryParse(value, CultureInfo.InvariantCulture, out var n) ? n : 0;
            switch (args[i])
            {
                case "--postgres" when value is not null:
                    postgres = value;
                    break;
                case "--adventures" when number is > 0 and <= 1_000_000:
                    adventures = number;
                    break;
                case "--turns" when number is > 0 and <= 10_000:
                    turns = number;
                    break;
                case "--writers" when number is > 0 and <= 64:
                    writers = number;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
            i++;
        }

        await using var database = await BenchDatabase.CreateAsync(postgres);
        var scratch = Path.Combine(database.DataDir, "scratch");
        Directory.CreateDirectory(scratch);
        await using var host = await BenchHost.StartAsync(
            database,
            new Dictionary<string, string?> { ["Backups:Schedule"] = "off", ["Jobs:Enabled"] = "false" }
        );
        var rows = new MarkdownTable("step", "seconds", "rows/s", "MB/s of backup file");

        var seed = Stopwatch.StartNew();
        var turnsSeeded = await SeedAsync(host, adventures, turns, writers, cancellationToken);
        await database.AnalyzeAsync();
        seed.Stop();
        var size = await database.SizeBytesAsync();
        Console.Error.WriteLine($"seeded {adventures:N0} adventures, {turnsSeeded:N0} turns in {seed.Elapsed}");

        var path = Path.Combine(scratch, "bench.backup.zip");
        var backup = Stopwatch.StartNew();
        var (_, manifest, bytes) = await host.Get<BackupService>().TakeAsync(path, false, cancellationToken);
        backup.Stop();
        rows.Add(Row("backup (storyengine backup)", backup.Elapsed, manifest.TotalRows, bytes));
        Console.Error.WriteLine($"backup: {backup.Elapsed}");

        var check = Stopwatch.StartNew();
        using (var archive = await BackupArchive.OpenAsync(path, cancellationToken))
        {
            check.Stop();
            rows.Add(Row("checksums (first step of verify and restore)", check.Elapsed, manifest.TotalRows, bytes));
            var verify = Stopwatch.StartNew();
            var verified = await host.Get<BackupVerifier>().VerifyAsync(archive, cancellationToken);
            verify.Stop();
            if (verified.Differences.Count > 0)
            {
                throw new InvalidOperationException("verify found differences: " + verified.Differences[0]);
            }
            rows.Add(Row("verify after checksums (restore + read back)", verify.Elapsed, manifest.TotalRows, bytes));
            Console.Error.WriteLine($"verify: {verify.Elapsed}");
        }

        await using (var target = await BenchDatabase.CreateAsync(postgres))
        {
            var restore = Stopwatch.StartNew();
            using var archive = await BackupArchive.OpenAsync(path, cancellationToken);
            var provider = Provider(target);
            await new DatabaseRestore(provider).RestoreAsync(archive, false, true, cancellationToken);
            restore.Stop();
            rows.Add(
                Row("restore (storyengine restore, into an empty database)", restore.Elapsed, manifest.TotalRows, bytes)
            );
            Console.Error.WriteLine($"restore: {restore.Elapsed}");
        }

        output.WriteLine(
            $"### Backup, verify, restore: {adventures:N0} adventures × {turns:N0} turns ({database.Engine})"
        );
        output.WriteLine();
        output.WriteLine(
            $"Seeded {turnsSeeded:N0} turns ({manifest.TotalRows:N0} rows in {manifest.Tables.Count} tables, "
                + $"database {size / 1e6:N0} MB) in {seed.Elapsed.TotalSeconds:N0} s with {writers} writers; "
                + $"backup file {bytes / 1e6:N0} MB"
                + (manifest.Files.Any(f => f.Entry == PgDump.Entry) ? " (with pg_dump's archive)." : ".")
        );
        output.WriteLine();
        rows.WriteTo(output);
        return 0;
    }

    private static string[] Row(string step, TimeSpan elapsed, long rows, long bytes) =>
        [
            step,
            elapsed.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture),
            (rows / elapsed.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture),
            (bytes / 1e6 / elapsed.TotalSeconds).ToString("N1", CultureInfo.InvariantCulture),
        ];

    private static IStorageProvider Provider(BenchDatabase database) =>
        database.ConnectionString is { } cs
            ? new PostgresStorageProvider(cs)
            : new SqliteStorageProvider(database.SqlitePath);

    /// <summary>One user; one adventure made through the API (its world, character, place, persona), the rest through
    /// <see cref="AdventureService"/> in the same world, each then given its turns by <see cref="Seeder"/>.</summary>
    private static async Task<long> SeedAsync(
        BenchHost host,
        int adventures,
        int turns,
        int writers,
        CancellationToken cancellationToken
    )
    {
        using var http = StoryApi.CreateClient(host.BaseAddress);
        var api = new StoryApi(http);
        var user = await api.RegisterAsync("backup", cancellationToken);
        var firstId = await api.CreateAdventureAsync(user, cancellationToken);
        var first = await host.Get<AdventureService>().GetAsync(user.Id, firstId, cancellationToken);
        var request = new NewAdventure(
            first.WorldId,
            first.PersonaId,
            first.CharacterIds,
            first.StartLocationId,
            null,
            null
        );
        var next = 0;
        long seeded = 0;
        var progress = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, writers), cancellationToken, async (_, ct) =>
        {
            while (Interlocked.Increment(ref next) is var n && n <= adventures)
            {
                var id = n == 1 ? firstId : (await host.Get<AdventureService>().CreateAsync(user.Id, request, ct)).Id;
                var adventure = await Seeder.SeedAsync(host.Services, user.Id, id, turns, ct);
                var total = Interlocked.Add(ref seeded, adventure.TurnCount);
                if (n % 1_000 == 0)
                {
                    Console.Error.WriteLine($"  {n:N0} adventures, {total:N0} turns, {progress.Elapsed}");
                }
            }
        });
        return seeded;
    }
}
