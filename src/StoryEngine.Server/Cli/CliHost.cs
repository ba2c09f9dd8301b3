using System.CommandLine;
using System.Data.Common;
using Microsoft.Extensions.Options;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Cli;

/// <summary>
/// Runs a command on the shared host. A bad configuration value stops it with exit code 2 and a message
/// that names the key, before anything touches the data.
/// </summary>
public static class CliHost
{
    public static async Task<int> RunAsync(
        ParseResult parse,
        Func<WebApplication, Task<int>> command,
        IReadOnlyDictionary<string, string?>? extra = null,
        bool quietLogs = true
    )
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (parse.GetValue(CliApp.DataDir) is { Length: > 0 } dataDir)
        {
            overrides["DataDir"] = dataDir;
        }
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        WebApplication app;
        try
        {
            app = StoryEngineHost.CreateBuilder(overrides, quietLogs).Build();
            StoryEngineHost.ValidateConfiguration(app.Services);
        }
        catch (OptionsValidationException e)
        {
            return ConfigurationError(string.Join(" ", e.Failures));
        }
        catch (Providers.Configuration.ProvidersConfigurationException e)
        {
            return ConfigurationError(e.Message);
        }
        catch (InvalidOperationException e)
            when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            return ConfigurationError(e.Message);
        }

        await using (app)
        {
            try
            {
                return await command(app);
            }
            catch (DbException e)
            {
                return UsageError($"the database failed: {e.Message}");
            }
            catch (CliUsageException e)
            {
                return UsageError(e.Message);
            }
            catch (NotFoundException e)
            {
                return UsageError(e.Message);
            }
        }
    }

    public static int ConfigurationError(string message)
    {
        Console.Error.WriteLine($"storyengine: configuration error: {message}");
        return CliApp.ConfigurationErrorExitCode;
    }

    /// <summary>Prints a message for the person at the terminal and returns the exit code for "you asked for something
    /// wrong".</summary>
    public static int UsageError(string message)
    {
        Console.Error.WriteLine($"storyengine: {message}");
        return 1;
    }
}
