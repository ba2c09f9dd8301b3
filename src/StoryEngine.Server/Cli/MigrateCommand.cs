using System.CommandLine;
using StoryEngine.Storage;
using StoryEngine.Storage.Migrations;

namespace StoryEngine.Server.Cli;

public static class MigrateCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Print the SQL that would run, change " + "nothing",
            Recursive = true,
        };
        var to = new Option<int>("--to")
        {
            Description = "Version to go back to (0 removes " + "everything)",
            Required = true,
        };

        var status = new Command("status", "List migrations and whether each is applied");
        status.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var runner = app.Services.GetRequiredService<MigrationRunner>();
                    var provider = app.Services.GetRequiredService<IStorageProvider>();
                    Console.WriteLine($"{provider.Engine} at {provider.Target}");
                    foreach (var m in await runner.StatusAsync(ct))
                    {
                        Console.WriteLine(
                            $"  {m.Version:D4} {m.Name, -30} {(m.Applied ? $"applied {m.AppliedAt:u}" : "pending")}"
                        );
                    }
                    return 0;
                }));

        var up = new Command("up", "Apply every pending migration");
        up.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var steps = await app
                        .Services.GetRequiredService<MigrationRunner>()
                        .UpAsync(parse.GetValue(dryRun), ct);
                    Report(steps, parse.GetValue(dryRun), "Database is up to date.");
                    return 0;
                }));

        var down = new Command("down", "Revert migrations down to a version") { to };
        down.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var target = parse.GetValue(to);
                    if (target < 0)
                    {
                        return CliHost.UsageError("--to must be 0 or a migration version.");
                    }
                    var steps = await app
                        .Services.GetRequiredService<MigrationRunner>()
                        .DownAsync(target, parse.GetValue(dryRun), ct);
                    Report(steps, parse.GetValue(dryRun), $"Nothing above version {target} is applied.");
                    return 0;
                }));

        var command = new Command("migrate", "Show, apply or revert database migrations") { status, up, down };
        command.Options.Add(dryRun);
        return command;
    }

    private static void Report(IReadOnlyList<MigrationStep> steps, bool dryRun, string nothingToDo)
    {
        if (steps.Count == 0)
        {
            Console.WriteLine(nothingToDo);
            return;
        }
        foreach (var step in steps)
        {
            if (dryRun)
            {
                Console.WriteLine($"-- would run {step.Direction} {step.Version:D4} {step.Name}");
                Console.WriteLine(step.Sql.TrimEnd());
            }
            else
            {
                Console.WriteLine($"{(step.Direction == "up" ? "applied" : "reverted")} {step.Version:D4} {step.Name}");
            }
        }
    }
}
