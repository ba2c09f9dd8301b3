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
        var command = new Command(
            "serve",
            "Run the server (migrates the database first unless " + "Database:MigrateOnStart is false)"
        )
        {
            urls,
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
                return CliHost.RunAsync(
                    parse,
                    async app =>
                    {
                        if (string.IsNullOrEmpty(app.Configuration["urls"]))
                        {
                            app.Urls.Add("http://127.0.0.1:5080");
                        }
                        timeline.Mark("host built");
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
