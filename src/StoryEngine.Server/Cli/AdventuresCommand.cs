using System.CommandLine;
using System.Text.Json;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Server.Cli;

public static class AdventuresCommand
{
    /// <summary>Whose data a CLI command acts on; the CLI has no sign-in, it runs as the operator on the data
    /// folder.</summary>
    public static readonly Option<string> User = new("--user")
    {
        Description = "The account to act as",
        Required = true,
        Recursive = true,
    };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var list = new Command("list", "List an account's adventures, newest first") { json };
        list.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var owner = await OwnerAsync(app.Services, parse.GetValue(User)!, ct);
                    var page = await app
                        .Services.GetRequiredService<AdventureService>()
                        .ListAsync(owner.Id, ListQuery.From(ListQuery.MaxLimit, null, null, null), ct);
                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(JsonSerializer.Serialize(page.Items, JsonSerializerOptions.Web));
                        return 0;
                    }
                    foreach (var a in page.Items)
                    {
                        Console.WriteLine($"{a.Id}  {a.UpdatedAt:yyyy-MM-dd HH:mm}  {a.TurnCount, 4} turns  {a.Title}");
                    }
                    if (page.Items.Count == 0)
                    {
                        Console.WriteLine("No adventures yet: storyengine adventures new --user NAME --world WORLD_ID");
                    }
                    return 0;
                }));

        var world = new Option<string>("--world") { Description = "The world to play in (its id)", Required = true };
        var persona = new Option<string?>("--persona") { Description = "Your persona's id" };
        var characters = new Option<string[]>("--character")
        {
            Description = "A character id (repeat for several)",
            AllowMultipleArgumentsPerToken = false,
        };
        var title = new Option<string?>("--title") { Description = "A title (default: world and date)" };
        var create = new Command("new", "Start an adventure and print its id and " + "opening")
        {
            world,
            persona,
            characters,
            title,
        };
        create.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await Hosting.StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var owner = await OwnerAsync(app.Services, parse.GetValue(User)!, ct);
                    try
                    {
                        var adventure = await app
                            .Services.GetRequiredService<AdventureService>()
                            .CreateAsync(
                                owner.Id,
                                new NewAdventure(
                                    parse.GetValue(world),
                                    parse.GetValue(persona),
                                    parse.GetValue(characters),
                                    null,
                                    null,
                                    parse.GetValue(title)
                                ),
                                ct
                            );
                        Console.WriteLine(
                            $"Started '{adventure.Title}' ({adventure.Id}). Play it: storyengine play "
                                + $"{adventure.Id} --user {owner.Username}"
                        );
                        return 0;
                    }
                    catch (ValidationFailedException e)
                    {
                        return CliHost.UsageError(string.Join(" ", e.Errors.SelectMany(f => f.Value)));
                    }
                }));

        var command = new Command("adventures", "List or start adventures") { list, create };
        command.Options.Add(User);
        return command;
    }

    public static async Task<User> OwnerAsync(
        IServiceProvider services,
        string username,
        CancellationToken cancellationToken
    ) =>
        await services.GetRequiredService<IUserStore>().FindByUsernameAsync(username, cancellationToken)
        ?? throw new CliUsageException(
            $"No account named '{username}'. Create it with: storyengine users add " + $"{username}"
        );
}

/// <summary>A command-line mistake the person can fix; printed without a stack trace, exit code 1.</summary>
public sealed class CliUsageException(string message) : Exception(message);
