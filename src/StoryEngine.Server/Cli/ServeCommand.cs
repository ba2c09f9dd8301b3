using System.CommandLine;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Cli;

public static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls")
        {
            Description = "Addresses to listen on, separated by ';' (default http://127.0.0.1:5080; config key urls)",
        };
        var role = new Option<string?>("--role")
        {
            Description =
                "What this node does: all (default), web (HTTP, no job workers) or worker (job workers; HTTP only "
                + "for health and metrics); config key Cluster:Role",
        };
        role.AcceptOnlyFromAmong(Cluster.Roles.Known);
        var command = new Command(
            "serve",
            "Run the server (migrates the database first unless " + "Database:MigrateOnStart is false)"
        )
        {
            urls,
            role,
        };
        command.SetAction(
            (parse, cancellationToken) =>
            {
                var timeline = new StartupTimeline();
                var extra = new Dictionary<string, string?>();
                if (parse.GetValue(urls) is { Length: > 0 } value)
                {
                    extra["urls"] = value;
                }
                if (parse.GetValue(role) is { Length: > 0 } chosen)
                {
                    extra["Cluster:Role"] = chosen;
                }
                return CliHost.RunAsync(
                    parse,
                    async app =>
                    {
                        if (string.IsNullOrEmpty(app.Configuration["urls"]))
                        {
                            app.Urls.Add("http://127.0.0.1:5080");
                        }
                        timeline.Mark("host built");
                        var storage = app
                            .Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StoryEngineOptions>>()
                            .Value;
                        using var single = storage.UsesPostgres
                            ? null
                            : Cluster.SingleNodeLock.TryTake(storage.DataDir, out var refusal)
                                ?? throw new CliUsageException(refusal!);
                        await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, cancellationToken);
                        timeline.Mark("database migrated");
                        app.MapStoryEngine();
                        timeline.Mark("routes mapped");
                        timeline.LogWhenStarted(app.Lifetime, app.Logger);
                        await app.RunAsync();
                        return 0;
                    },
                    extra,
                    quietLogs: false
                );
            }
        );
        return command;
    }
}
