using System.CommandLine;
using System.Text.Json;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>worlds list</c>, <c>characters list --world ID</c>, <c>personas list</c>: an account's library as the web app's
/// lists show it, one line each (id, name, tags), or <c>--json</c> for scripts. Every page is read, so the whole
/// library prints.
/// </summary>
public static class LibraryCommands
{
    public static Command Worlds() =>
        Group(
            "worlds",
            "An account's worlds",
            List<World>("worlds", w => w.Name, w => w.Tags, "storyengine seed demo")
        );

    public static Command Characters()
    {
        var world = new Option<string>("--world") { Description = "The world whose characters to list (its id)" };
        world.Required = true;
        var list = List<Character>(
            "characters",
            c => c.Name,
            c => c.Tags,
            "import a card: storyengine import CARD --world WORLD_ID",
            world
        );
        return Group("characters", "The characters of a world", list);
    }

    public static Command Personas() =>
        Group(
            "personas",
            "An account's personas (who the player is)",
            List<Persona>("personas", p => p.Name, p => p.Tags, "create one in the web app")
        );

    private static Command Group(string name, string description, Command list) =>
        new(name, description) { list, AdventuresCommand.User };

    private static Command List<TBody>(
        string plural,
        Func<TBody, string> name,
        Func<TBody, IReadOnlyList<string>> tags,
        string hint,
        Option<string>? parent = null
    )
        where TBody : class, IResourceBody<TBody>
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("list", $"List the {plural}, oldest first: id, name, tags") { json };
        if (parent is not null)
        {
            command.Options.Add(parent);
        }
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var owner = await AdventuresCommand.OwnerAsync(
                        app.Services,
                        parse.GetValue(AdventuresCommand.User)!,
                        ct
                    );
                    var scope = new ResourceScope(owner.Id, parent is null ? null : parse.GetValue(parent));
                    var items = await AllAsync(app.Services.GetRequiredService<ResourceService<TBody>>(), scope, ct);
                    if (parse.GetValue(json))
                    {
                        var rows = items.Select(r => new LibraryRow(
                            r.Id,
                            name(r.Body),
                            tags(r.Body),
                            r.Version,
                            r.CreatedAt,
                            r.UpdatedAt
                        ));
                        Console.WriteLine(JsonSerializer.Serialize(rows, JsonSerializerOptions.Web));
                        return 0;
                    }
                    foreach (var r in items)
                    {
                        var tagText = tags(r.Body) is { Count: > 0 } t ? $"  [{string.Join(", ", t)}]" : "";
                        Console.WriteLine($"{r.Id}  {name(r.Body)}{tagText}");
                    }
                    if (items.Count == 0)
                    {
                        Console.WriteLine($"No {plural} yet: {hint}");
                    }
                    return 0;
                }));
        return command;
    }

    private static async Task<List<StoredResource<TBody>>> AllAsync<TBody>(
        ResourceService<TBody> resources,
        ResourceScope scope,
        CancellationToken cancellationToken
    )
        where TBody : class, IResourceBody<TBody>
    {
        var all = new List<StoredResource<TBody>>();
        string? cursor = null;
        do
        {
            var page = await resources.ListAsync(
                scope,
                ListQuery.From(ListQuery.MaxLimit, cursor, null, null),
                cancellationToken
            );
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return all;
    }

    private sealed record LibraryRow(
        string Id,
        string Name,
        IReadOnlyList<string> Tags,
        long Version,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt
    );
}
