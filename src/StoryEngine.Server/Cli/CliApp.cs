using System.CommandLine;

namespace StoryEngine.Server.Cli;

/// <summary>The <c>storyengine</c> command line: <c>serve</c> runs the server; the rest manage the same data.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad configuration: the process stops before doing anything.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>Where the embedded database and keys live; every command takes it.</summary>
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Folder for the SQLite database and keys (default ./data; config key DataDir)",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Story Engine: a self-hosted server for AI-narrated stories.")
        {
            ServeCommand.Create(),
            MigrateCommand.Create(),
            UsersCommand.Create(),
            UsageCommands.Usage(),
            StatusCommand.Create(),
            SeedCommand.Create(),
            LibraryCommands.Worlds(),
            LibraryCommands.Characters(),
            LibraryCommands.Personas(),
            AdventuresCommand.Create(),
            PlayCommand.Create(),
            ImportCommand.Create(),
            ExportCommand.Create(),
            SecretsCommand.Create(),
            JobsCommand.Create(),
            BackupCommand.Create(),
            RestoreCommand.Create(),
            McpCommand.Create(),
            McpCommand.Tools(),
            EvalCommand.Create(),
        };
        root.Options.Add(DataDir);
        // The host handles SIGTERM/Ctrl+C itself (graceful shutdown, exit code 0); System.CommandLine must not race it.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
