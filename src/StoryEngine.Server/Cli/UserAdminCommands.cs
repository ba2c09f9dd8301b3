using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Resources;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>users list</c>, <c>users disable NAME</c>, <c>users enable NAME</c>: the operator's side of account
/// administration.
/// They go through the same service as the admin API, so they are audited the same way (actor: the console). A running
/// server notices within Auth:SessionCheckSeconds.
/// </summary>
public static class UserAdminCommands
{
    public static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("list", "List accounts: name, role, whether disabled, when created") { json };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var users = app.Services.GetRequiredService<UserAdministration>();
                    var all = new List<User>();
                    string? cursor = null;
                    do
                    {
                        var page = await users.ListAsync(ListQuery.From(ListQuery.MaxLimit, cursor, null, null), ct);
                        all.AddRange(page.Items);
                        cursor = page.NextCursor;
                    } while (cursor is not null);

                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(
                            JsonSerializer.Serialize(all.Select(AdminUserResponse.From), JsonSerializerOptions.Web)
                        );
                        return 0;
                    }
                    Console.WriteLine($"{"USERNAME", -32} {"ROLE", -5} {"STATUS", -8} {"CREATED", -20} ID");
                    foreach (var user in all)
                    {
                        Console.WriteLine(
                            string.Create(
                                CultureInfo.InvariantCulture,
                                $"{user.Username, -32} {user.Role, -5} "
                                    + $"{(user.DisabledAt is null ? "active" : "disabled"), -8} "
                                    + $"{user.CreatedAt:yyyy-MM-dd HH:mm:ss}  {user.Id}"
                            )
                        );
                    }
                    Console.WriteLine($"{all.Count} account{(all.Count == 1 ? "" : "s")}");
                    return 0;
                }));
        return command;
    }

    public static Command Disable() =>
        Toggle(
            "disable",
            "Disable an account: it cannot sign in and its sessions end",
            (users, user, ct) => users.DisableAsync(null, user.Id, RequestOrigin.Console, ct),
            "disabled; its sessions " + "were signed out"
        );

    public static Command Enable() =>
        Toggle(
            "enable",
            "Let a disabled account sign in again",
            (users, user, ct) => users.EnableAsync(null, user.Id, RequestOrigin.Console, ct),
            "enabled"
        );

    private static Command Toggle(
        string name,
        string description,
        Func<UserAdministration, User, CancellationToken, Task<User>> change,
        string done
    )
    {
        var username = new Argument<string>("name") { Description = "The username" };
        var command = new Command(name, description) { username };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var wanted = parse.GetValue(username)!;
                    var user = await app.Services.GetRequiredService<IUserStore>().FindByUsernameAsync(wanted, ct)
                        ?? throw new CliUsageException(
                            $"No account named '{wanted}'. `storyengine users list` shows them " + "all."
                        );
                    await change(app.Services.GetRequiredService<UserAdministration>(), user, ct);
                    Console.WriteLine($"'{user.Username}' is {done}.");
                    return 0;
                }));
        return command;
    }
}
