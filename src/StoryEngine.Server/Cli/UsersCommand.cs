using System.CommandLine;
using System.Security.Cryptography;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Cli;

public static class UsersCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name")
        {
            Description = "The username (3-32 letters, digits, '.', '_' or " + "'-')",
        };
        var admin = new Option<bool>("--admin") { Description = "Make the account an administrator" };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the password from standard " + "input instead of generating one",
        };

        var add = new Command("add", "Create an account") { name, admin, passwordStdin };
        add.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var generated = !parse.GetValue(passwordStdin);
                    var password = generated
                        ? NewPassword()
                        : (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
                    try
                    {
                        var user = await app
                            .Services.GetRequiredService<AccountService>()
                            .RegisterAsync(parse.GetValue(name), password, parse.GetValue(admin), ct);
                        Console.WriteLine(
                            $"Created {(user.IsAdmin ? "admin" : "user")} '{user.Username}' ({user.Id})."
                        );
                        if (generated)
                        {
                            Console.WriteLine($"Password (shown once): {password}");
                        }
                        return 0;
                    }
                    catch (ValidationFailedException e)
                    {
                        return CliHost.UsageError(string.Join(" ", e.Errors.SelectMany(f => f.Value)));
                    }
                    catch (ConflictException e)
                    {
                        return CliHost.UsageError(e.Message);
                    }
                }));

        return new Command("users", "Manage accounts")
        {
            add,
            UserAdminCommands.List(),
            UserAdminCommands.Disable(),
            UserAdminCommands.Enable(),
            UsageCommands.Tier(),
            UsageCommands.Quota(),
            ResetLinkCommand.Create(),
        };
    }

    /// <summary>20 characters from an alphabet without look-alikes: about 115 bits.</summary>
    public static string NewPassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }
}
