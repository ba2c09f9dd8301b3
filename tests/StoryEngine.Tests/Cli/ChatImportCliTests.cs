using System.Text.RegularExpressions;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>
/// <c>storyengine import … --as chat</c> (or a chat told by its content), the real program as a process.
/// </summary>
public sealed partial class ChatImportCliTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "storyengine-cli", Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task chats_import_as_adventures_and_a_broken_one_names_its_line()
    {
        var world = IdPattern().Match(Ok(await Run("seed", "demo", "--user", "ada"))).Groups[1].Value;
        var tavern = Ok(
            await Run(
                "import",
                SharedFixtures.Path("chats/st_tavernai_Megumin_1671472375920.json"),
                "--user",
                "ada",
                "--world",
                world
            )
        );
        Assert.Contains("Imported chat 'Megumin — imported chat", tavern, StringComparison.Ordinal);
        Assert.Contains("as an adventure of 0 turns from 1 messages", tavern, StringComparison.Ordinal);

        var chat = Path.Combine(_folder, "chat.jsonl");
        await File.WriteAllTextAsync(
            chat,
            """
            {"user_name":"You","character_name":"Aqua"}
            {"name":"Aqua","mes":"Hello!","swipes":["Hi!","Hello!"],"swipe_id":1}
            {"name":"You","is_user":true,"mes":"Hi Aqua"}
            {"name":"Aqua","mes":"Want to join my party?"}
            """
        );
        var imported = Ok(
            await Run("import", chat, "--as", "chat", "--title", "Axel", "--user", "ada", "--world", world)
        );
        Assert.Contains("Imported chat 'Axel'", imported, StringComparison.Ordinal);
        Assert.Contains("as an adventure of 1 turns from 3 messages", imported, StringComparison.Ordinal);
        Assert.Contains("Axel", Ok(await Run("adventures", "list", "--user", "ada")), StringComparison.Ordinal);

        await File.WriteAllTextAsync(chat, "{\"user_name\":\"You\"}\n{\"mes\":\"a\"}\n{\"mes\": nope}\n");
        var broken = await Run("import", chat, "--user", "ada", "--world", world);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains(
            "chat.jsonl was not imported: Line 3 is not valid JSON",
            broken.Stderr,
            StringComparison.Ordinal
        );
    }

    private Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync(["--data-dir", Path.Combine(_folder, "data"), .. args]);

    private static string Ok(CliProcess.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    [GeneratedRegex(@"\(([0-9a-f-]{36})\)")]
    private static partial Regex IdPattern();
}
