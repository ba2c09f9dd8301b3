using System.CommandLine;
using StoryEngine.Core.Errors;
using StoryEngine.Core.PasswordReset;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>storyengine users reset-link NAME</c>: a fresh one-time password-reset link for an account, for an operator
/// without mail to pass on by other means. Audited as issued from the console.
/// </summary>
public static class ResetLinkCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The account's username" };
        var command = new Command(
            "reset-link",
            "Print a one-time password-reset link (and its token) for an " + "account"
        )
        {
            name,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var wanted = parse.GetValue(name)!;
                    IssuedReset reset;
                    try
                    {
                        reset = await app
                            .Services.GetRequiredService<PasswordResetService>()
                            .IssueLinkAsync(wanted, ct);
                    }
                    catch (NotFoundException)
                    {
                        throw new CliUsageException(
                            $"No account named '{wanted}'. `storyengine users list` shows them all."
                        );
                    }
                    Console.WriteLine(
                        $"Reset link (works once, for {reset.Lifetime.TotalMinutes:0} minutes): {reset.Link}"
                    );
                    Console.WriteLine($"Token: {reset.Token}");
                    Console.WriteLine(
                        "Use it with POST /api/v1/auth/password-reset/confirm {\"token\": \"...\", "
                            + "\"newPassword\": \"...\"}."
                    );
                    return 0;
                }));
        return command;
    }
}
