using System.CommandLine;
using StoryEngine.Core.Secrets;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>storyengine secrets encrypt</c>: reads a value (a backend's API key, the SMTP password) from standard input and
/// prints it sealed under this server's secrets key, as <c>enc:v1:...</c> for a configuration file. The value never
/// appears on the command line, so it is not left in the shell history or the process list.
/// </summary>
public static class SecretsCommand
{
    public static Command Create()
    {
        var encrypt = new Command(
            "encrypt",
            "Encrypt a value read from standard input for configuration (prints " + "enc:v1:...)"
        );
        encrypt.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var value = (await Console.In.ReadToEndAsync(ct)).TrimEnd('\r', '\n');
                    if (value.Length == 0)
                    {
                        return CliHost.UsageError(
                            "nothing to encrypt: pipe the value in, for example: printf %s \"$KEY\" | "
                                + "storyengine secrets encrypt"
                        );
                    }
                    Console.WriteLine(
                        SecretBox.ConfigurationPrefix + app.Services.GetRequiredService<SecretBox>().Seal(value)
                    );
                    return 0;
                }));
        return new Command("secrets", "Secrets at rest: encrypt configuration values") { encrypt };
    }
}
