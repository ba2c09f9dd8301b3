using System.CommandLine;
using StoryEngine.Core.Accounts;
using StoryEngine.Server.Demo;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Cli;

public static class SeedCommand
{
    public static Command Create()
    {
        var user = new Option<string>("--user")
        {
            Description = "Owner of the demo content (created if " + "missing)",
            DefaultValueFactory = _ => "demo",
        };
        var demo = new Command("demo", "Create a small original world with locations, characters and a " + "persona")
        {
            user,
        };
        demo.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var username = parse.GetValue(user)!;
                    var users = app.Services.GetRequiredService<IUserStore>();
                    var owner = await users.FindByUsernameAsync(username, ct);
                    if (owner is null)
                    {
                        var password = UsersCommand.NewPassword();
                        owner = await app
                            .Services.GetRequiredService<AccountService>()
                            .RegisterAsync(username, password, isAdmin: false, ct);
                        Console.WriteLine($"Created user '{username}' with password (shown once): {password}");
                    }
                    var result = await app.Services.GetRequiredService<DemoContent>().SeedAsync(owner.Id, ct);
                    Console.WriteLine(
                        result.Created
                            ? $"Created the world '{DemoContent.WorldName}' ({result.WorldId}) with {result.Locations} "
                                + $"locations, {result.Characters} characters and a persona."
                            : $"'{username}' already has the world '{DemoContent.WorldName}' ({result.WorldId}); "
                                + "nothing changed."
                    );
                    return 0;
                }));
        return new Command("seed", "Add sample content") { demo };
    }
}
