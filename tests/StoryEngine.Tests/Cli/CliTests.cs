using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>The real program, run as a process, on each engine.</summary>
public abstract class CliTests : IAsyncLifetime
{
    protected string DataDir { get; } =
        Path.Combine(Path.GetTempPath(), "storyengine-cli", Guid.NewGuid().ToString("N"));

    /// <summary>Environment that points the program at this test's own database.</summary>
    protected Dictionary<string, string> Environment { get; } = new();

    public abstract string Engine { get; }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
        return Task.CompletedTask;
    }

    protected Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync(["--data-dir", DataDir, .. args], Environment);

    [Fact]
    public async Task migrate_status_up_down_and_dry_run()
    {
        var status = await Run("migrate", "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("0001 initial", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("pending", status.Stdout, StringComparison.Ordinal);

        var dry = await Run("migrate", "up", "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("CREATE TABLE worlds", dry.Stdout, StringComparison.Ordinal);
        // nothing applied
        Assert.Contains("pending", (await Run("migrate", "status")).Stdout, StringComparison.Ordinal);

        var up = await Run("migrate", "up");
        Assert.Contains("applied 0001 initial", up.Stdout, StringComparison.Ordinal);
        Assert.Contains(
            "applied 2",
            (await Run("migrate", "status")).Stdout.Replace("applied 20", "applied 2", StringComparison.Ordinal),
            StringComparison.Ordinal
        );
        Assert.Contains("up to date", (await Run("migrate", "up")).Stdout, StringComparison.Ordinal);

        var downDry = await Run("migrate", "down", "--to", "0", "--dry-run");
        Assert.Contains("DROP TABLE worlds", downDry.Stdout, StringComparison.Ordinal);
        var down = await Run("migrate", "down", "--to", "0");
        Assert.Equal(0, down.ExitCode);
        Assert.Contains("reverted 0001 initial", down.Stdout, StringComparison.Ordinal);
        Assert.Contains("pending", (await Run("migrate", "status")).Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await Run("migrate", "up")).ExitCode);
    }

    [Fact]
    public async Task users_add_creates_an_account_once_and_status_counts_it()
    {
        var added = await Run("users", "add", "keeper", "--admin");
        Assert.Equal(0, added.ExitCode);
        Assert.Contains("Created admin 'keeper'", added.Stdout, StringComparison.Ordinal);
        Assert.Matches("Password \\(shown once\\): \\S{20}", added.Stdout);

        var again = await Run("users", "add", "KEEPER");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("taken", again.Stderr, StringComparison.Ordinal);

        var fromStdin = await CliProcess.RunAsync(
            ["--data-dir", DataDir, "users", "add", "scribe", "--password-stdin"],
            Environment,
            stdin: "short"
        );
        Assert.Equal(1, fromStdin.ExitCode);
        Assert.Contains("at least 12", fromStdin.Stderr, StringComparison.Ordinal);

        var status = await Run("status", "--json");
        Assert.Equal(0, status.ExitCode);
        var json = JsonDocument.Parse(status.Stdout).RootElement;
        Assert.Equal(Engine, json.GetProperty("database").GetProperty("engine").GetString());
        Assert.True(json.GetProperty("database").GetProperty("reachable").GetBoolean());
        Assert.Equal(0, json.GetProperty("schema").GetProperty("pending").GetInt32());
        Assert.Equal(1, json.GetProperty("users").GetInt64());
    }

    [Fact]
    public async Task adventures_new_and_play_stream_a_story_in_the_terminal()
    {
        foreach (var (key, value) in (await ScriptedBackend.InstanceAsync()).Settings())
        {
            Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }
        var seeded = await Run("seed", "demo", "--user", "player1");
        var worldId = System.Text.RegularExpressions.Regex.Match(seeded.Stdout, @"\(([0-9a-f-]{36})\)").Groups[1].Value;
        var created = await Run(
            "adventures",
            "new",
            "--user",
            "player1",
            "--world",
            worldId,
            "--title",
            "Terminal tale"
        );
        Assert.Equal(0, created.ExitCode);
        var adventureId = System
            .Text.RegularExpressions.Regex.Match(created.Stdout, @"\(([0-9a-f-]{36})\)")
            .Groups[1]
            .Value;
        Assert.Contains(
            "Terminal tale",
            (await Run("adventures", "list", "--user", "player1")).Stdout,
            StringComparison.Ordinal
        );

        var play = await CliProcess.RunAsync(
            ["--data-dir", DataDir, "play", adventureId, "--user", "player1"],
            Environment,
            stdin: "light the lantern {{tokens:3}}\n/say hello {{tokens:2}}\n/retry\n/undo\n/sya cliunknown\n/quit"
        );
        Assert.Equal(0, play.ExitCode);
        // A mistyped command is answered with the list of commands, not sent to the narrator as an action.
        Assert.Contains("Unknown command '/sya'", play.Stdout, StringComparison.Ordinal);
        Assert.Contains("/say TEXT", play.Stdout, StringComparison.Ordinal);
        Assert.Empty((await ScriptedBackend.InstanceAsync()).RequestsContaining("cliunknown"));
        Assert.Contains(
            "Narration of '[Action] light the lantern {{tokens:3}}' part2 " + "part3",
            play.Stdout,
            StringComparison.Ordinal
        );
        Assert.Contains("Narration of '[Says] \"hello {{tokens:2}}\"' part2", play.Stdout, StringComparison.Ordinal);
        Assert.Contains("(turn 2 taken back)", play.Stdout, StringComparison.Ordinal);

        var unknown = await Run("adventures", "list", "--user", "nobody");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No account named 'nobody'", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_library_lists_as_lines_and_as_json()
    {
        var seeded = await Run("seed", "demo", "--user", "librarian");
        Assert.Equal(0, seeded.ExitCode);
        var worlds = await Run("worlds", "list", "--user", "librarian");
        Assert.Equal(0, worlds.ExitCode);
        Assert.Contains("The Lantern Coast", worlds.Stdout, StringComparison.Ordinal);

        var json = await Run("worlds", "list", "--user", "librarian", "--json");
        var world = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray());
        Assert.Equal("The Lantern Coast", world.GetProperty("name").GetString());
        var worldId = world.GetProperty("id").GetString()!;

        var characters = await Run("characters", "list", "--user", "librarian", "--world", worldId, "--json");
        Assert.Equal(0, characters.ExitCode);
        Assert.Equal(2, JsonDocument.Parse(characters.Stdout).RootElement.GetArrayLength());
        var personas = await Run("personas", "list", "--user", "librarian", "--json");
        Assert.Equal(1, JsonDocument.Parse(personas.Stdout).RootElement.GetArrayLength());
        var adventures = await Run("adventures", "list", "--user", "librarian", "--json");
        Assert.Equal(0, JsonDocument.Parse(adventures.Stdout).RootElement.GetArrayLength());
        Assert.Contains("No adventures yet", (await Run("adventures", "list", "--user", "librarian")).Stdout);

        var missing = await Run("characters", "list", "--user", "librarian", "--world", "no-such-world");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no-such-world", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task status_writes_its_report_on_stdout_and_nothing_on_stderr()
    {
        // The default backend (a local Ollama) is not running here: its probe is logged, but not into the terminal.
        var status = await Run("status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("schema:", status.Stdout, StringComparison.Ordinal);
        Assert.Equal("", status.Stderr);
    }

    [Fact]
    public async Task seed_demo_creates_a_world_once()
    {
        var first = await Run("seed", "demo");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Created the world 'The Lantern Coast'", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("4 locations, 2 characters", first.Stdout, StringComparison.Ordinal);
        var second = await Run("seed", "demo");
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("nothing changed", second.Stdout, StringComparison.Ordinal);
    }
}

public sealed class CliTests_Sqlite : CliTests
{
    public override string Engine => "sqlite";
}

public sealed class CliTests_Postgres : CliTests
{
    private readonly TestPostgres _database = new();

    public override string Engine => "postgres";

    public override async Task InitializeAsync() =>
        Environment["ConnectionStrings__Postgres"] = await _database.CreateAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DropAsync();
    }
}
