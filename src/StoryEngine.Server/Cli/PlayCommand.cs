using System.CommandLine;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Server.Cli;

/// <summary>
/// An interactive story in the terminal: type what you do; <c>/say</c>, <c>/story</c>, <c>/continue</c>,
/// <c>/retry</c>, <c>/undo</c>, <c>/quit</c>. Narration streams as it arrives, through the same turn pipeline
/// as the API, so everything played here is in the adventure's story log.
/// </summary>
public static class PlayCommand
{
    public static Command Create()
    {
        var adventure = new Argument<string>("adventureId")
        {
            Description = "The adventure to play (see: " + "storyengine adventures list)",
        };
        var command = new Command("play", "Play an adventure in the terminal") { adventure, AdventuresCommand.User };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var owner = await AdventuresCommand.OwnerAsync(
                        app.Services,
                        parse.GetValue(AdventuresCommand.User)!,
                        ct
                    );
                    var adventures = app.Services.GetRequiredService<AdventureService>();
                    var turns = app.Services.GetRequiredService<TurnService>();
                    var log = app.Services.GetRequiredService<IStoryLog>();
                    var id = parse.GetValue(adventure)!;
                    var current = await adventures.GetAsync(owner.Id, id, ct);
                    Console.WriteLine($"== {current.Title} ==   (/help for commands, /quit to leave)");
                    foreach (var turn in (await log.ListTurnsAsync(id, null, 3, includeUndone: false, ct)).Reverse())
                    {
                        Print(turn);
                    }
                    while (true)
                    {
                        Console.Write("\n> ");
                        var line = await Console.In.ReadLineAsync(ct);
                        if (line is null || line.Trim() is "/quit" or "/exit")
                        {
                            return 0;
                        }
                        try
                        {
                            var run = await RunAsync(line.Trim(), owner.Id, id, adventures, turns, log, ct);
                            if (run is not null)
                            {
                                await StreamAsync(run, ct);
                            }
                        }
                        catch (StoryEngineException e)
                        {
                            Console.WriteLine($"[{e.Code}] {e.Message}");
                        }
                    }
                }));
        return command;
    }

    private static async Task<TurnRun?> RunAsync(
        string line,
        string ownerId,
        string id,
        AdventureService adventures,
        TurnService turns,
        IStoryLog log,
        CancellationToken ct
    )
    {
        if (line.Length == 0)
        {
            return null;
        }
        if (line == "/undo")
        {
            var undone = await adventures.UndoAsync(ownerId, id, ct);
            Console.WriteLine($"(turn {undone.Number} taken back)");
            return null;
        }
        if (line == "/retry")
        {
            var newest = (await log.ListTurnsAsync(id, null, 1, includeUndone: false, ct)).FirstOrDefault();
            return await turns.RetryAsync(ownerId, id, newest?.TurnId ?? "", ct);
        }
        (string? kind, string text) = line switch
        {
            _ when line.StartsWith("//", StringComparison.Ordinal) => ("do", line[1..]),
            _ when line.StartsWith("/say ", StringComparison.Ordinal) => ("say", line[5..]),
            _ when line.StartsWith("/story ", StringComparison.Ordinal) => ("story", line[7..]),
            _ when line == "/continue" || line.StartsWith("/continue ", StringComparison.Ordinal) => (
                "continue",
                line[9..].Trim()
            ),
            _ when line.StartsWith('/') => (null, line),
            _ => ("do", line),
        };
        if (kind is null)
        {
            // A typo such as "/sya" must not reach the narrator as the player's action (issue 18).
            var name = line.Split(' ', 2)[0];
            Console.WriteLine(name == "/help" ? Help : $"Unknown command '{name}'.\n{Help}");
            return null;
        }
        return await turns.TakeTurnAsync(ownerId, id, kind, text, ct);
    }

    public const string Help =
        "Commands: TEXT (what you do), /say TEXT (what you say), /story TEXT (where the story should go), "
        + "/continue, /retry (the newest narration again), /undo (take the newest turn back), /help, /quit. "
        + "To begin an action with '/', write '//'.";

    private static async Task StreamAsync(TurnRun run, CancellationToken ct)
    {
        Console.WriteLine();
        await foreach (var item in run.ReadAsync(0, ct))
        {
            switch (item)
            {
                case TokenItem token:
                    Console.Write(token.Text);
                    break;
                case OutcomeItem { Succeeded: false } failed:
                    Console.WriteLine($"\n[{failed.FailureCode}] {failed.FailureMessage}");
                    break;
                default:
                    Console.WriteLine();
                    break;
            }
        }
    }

    private static void Print(TurnRecord turn)
    {
        if (turn.Kind != "opening")
        {
            Console.WriteLine($"\n> {turn.PlayerText}");
        }
        Console.WriteLine($"\n{turn.ChosenNarration.Text}");
    }
}
