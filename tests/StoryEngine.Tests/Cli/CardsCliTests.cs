using System.Text.RegularExpressions;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary><c>storyengine import</c> and <c>storyengine export</c>, the real program as a process, on each
/// engine.</summary>
public abstract partial class CardsCliTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "storyengine-cli", Guid.NewGuid().ToString("N"));

    protected Dictionary<string, string> Environment { get; } = new();

    private string DataDir => Path.Combine(_folder, "data");

    public virtual Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public virtual Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task a_card_and_a_lorebook_go_out_and_come_back_the_same()
    {
        var world = Id(Ok(await Run("seed", "demo", "--user", "ada")));
        var seraphina = Ok(
            await Run(
                "import",
                SharedFixtures.Path("cards/st_default_Seraphina.png"),
                "--user",
                "ada",
                "--world",
                world
            )
        );
        Assert.Contains("Imported character 'Seraphina'", seraphina, StringComparison.Ordinal);
        Assert.Contains("with lorebook 'Eldoria' (4 entries)", seraphina, StringComparison.Ordinal);
        var eldoria = Ok(
            await Run("import", SharedFixtures.Path("lorebooks/st_Eldoria.json"), "--user", "ada", "--world", world)
        );
        Assert.Contains("Imported lorebook 'st_Eldoria'", eldoria, StringComparison.Ordinal);

        var png = Path.Combine(_folder, "seraphina.png");
        Ok(
            await Run(
                "export",
                "--user",
                "ada",
                "--world",
                world,
                "--character",
                Id(seraphina),
                "--format",
                "png",
                "--out",
                png
            )
        );
        Ok(
            await Run(
                "export",
                "--user",
                "ada",
                "--world",
                world,
                "--lorebook",
                Id(eldoria),
                "--format",
                "st",
                "--out",
                Path.Combine(_folder, "st_Eldoria.json")
            )
        );
        var again = Ok(await Run("import", png, "--user", "ada", "--world", world));
        var bookAgain = Ok(
            await Run("import", Path.Combine(_folder, "st_Eldoria.json"), "--user", "ada", "--world", world)
        );

        // Exports of the original and of its round trip are byte for byte the same.
        Assert.Equal(
            await ExportAsync(world, "--character", Id(seraphina), "json"),
            await ExportAsync(world, "--character", Id(again), "json")
        );
        Assert.Equal(
            await ExportAsync(world, "--lorebook", Id(eldoria), "st"),
            await ExportAsync(world, "--lorebook", Id(bookAgain), "st")
        );
    }

    [Fact]
    public async Task a_broken_file_is_refused_with_a_message_and_exit_code_1()
    {
        var world = Id(Ok(await Run("seed", "demo", "--user", "ada")));
        var truncated = Path.Combine(_folder, "truncated.png");
        var card = SharedFixtures.Read("cards/st_default_CodingSensei.png");
        await File.WriteAllBytesAsync(truncated, card[..(card.Length / 2)]);
        var result = await Run("import", truncated, "--user", "ada", "--world", world);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(
            "truncated.png was not imported: The PNG is " + "truncated",
            result.Stderr,
            StringComparison.Ordinal
        );

        var wrongFormat = await Run("export", "--user", "ada", "--world", world, "--lorebook", "x", "--format", "gif");
        Assert.Equal(1, wrongFormat.ExitCode);
        Assert.Contains("'gif' is not a lorebook format", wrongFormat.Stderr, StringComparison.Ordinal);
    }

    private async Task<byte[]> ExportAsync(string world, string kind, string id, string format)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.out");
        Ok(await Run("export", "--user", "ada", "--world", world, kind, id, "--format", format, "--out", path));
        return await File.ReadAllBytesAsync(path);
    }

    private Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync(["--data-dir", DataDir, .. args], Environment);

    private static string Ok(CliProcess.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    private static string Id(string output) =>
        IdPattern().Match(output) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"No id in: {output}");

    [GeneratedRegex(@"\(([0-9a-f-]{36})\)")]
    private static partial Regex IdPattern();
}

public sealed class CardsCliTests_Sqlite : CardsCliTests;

public sealed class CardsCliTests_Postgres : CardsCliTests
{
    private readonly TestPostgres _database = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Environment["ConnectionStrings__Postgres"] = await _database.CreateAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DropAsync();
    }
}
