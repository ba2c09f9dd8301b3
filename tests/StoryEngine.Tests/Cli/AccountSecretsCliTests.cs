using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>`storyengine users reset-link` and `storyengine secrets encrypt`, run as processes on each
/// engine.</summary>
public abstract partial class AccountSecretsCliTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-cli",
        Guid.NewGuid().ToString("N")
    );

    protected Dictionary<string, string> Environment { get; } = new();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        return Task.CompletedTask;
    }

    private Task<CliProcess.Result> Run(string[] args, IDictionary<string, string>? extra = null, string? stdin = null)
    {
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return CliProcess.RunAsync(["--data-dir", _dataDir, .. args], environment, stdin);
    }

    [Fact]
    public async Task reset_link_prints_a_one_time_token_that_sets_a_new_password_on_the_running_server()
    {
        const string password = "the operator's first passphrase";
        Assert.Equal(0, (await Run(["users", "add", "scribe", "--password-stdin"], stdin: password)).ExitCode);

        var printed = await Run(["users", "reset-link", "scribe"]);
        Assert.Equal(0, printed.ExitCode);
        Assert.Contains("works once, for 30 minutes", printed.Stdout, StringComparison.Ordinal);
        var token = TokenLine().Match(printed.Stdout).Groups[1].Value;
        Assert.StartsWith("pr_", token, StringComparison.Ordinal);
        Assert.Contains($"/reset-password?token={token}", printed.Stdout, StringComparison.Ordinal);

        var (server, address) = await CliProcess.StartServerAsync(_dataDir, Environment);
        try
        {
            using var client = new HttpClient { BaseAddress = address };
            const string newPassword = "a passphrase from the operator";
            Assert.Equal(
                HttpStatusCode.NoContent,
                (
                    await client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm", new { token, newPassword })
                ).StatusCode
            );
            Assert.Equal(
                HttpStatusCode.OK,
                (
                    await client.PostAsJsonAsync(
                        "/api/v1/auth/login",
                        new { username = "scribe", password = newPassword }
                    )
                ).StatusCode
            );
            await (
                await client.PostAsJsonAsync(
                    "/api/v1/auth/password-reset/confirm",
                    new { token, newPassword = "and once more with feeling" }
                )
            ).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_reset_token");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        var unknown = await Run(["users", "reset-link", "nobody"]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No account named 'nobody'", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_encrypted_backend_key_reaches_the_backend_and_never_the_output()
    {
        var backendKey = "sk-cli-" + Guid.NewGuid().ToString("N");
        var encrypted = await Run(["secrets", "encrypt"], stdin: backendKey);
        Assert.Equal(0, encrypted.ExitCode);
        var value = encrypted.Stdout.Trim();
        Assert.StartsWith("enc:v1:", value, StringComparison.Ordinal);
        Assert.DoesNotContain(backendKey, value, StringComparison.Ordinal);
        var keyFile = Path.Combine(_dataDir, "keys", "secrets.key");
        Assert.Equal(32, new FileInfo(keyFile).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        var backend = await ScriptedBackend.InstanceAsync();
        var settings = new Dictionary<string, string>
        {
            ["Backends__scripted__Kind"] = "openai",
            ["Backends__scripted__BaseUrl"] = backend.BaseUrl,
            ["Backends__scripted__Model"] = "scripted-1",
            ["Backends__scripted__ApiKey"] = value,
        };
        var status = await Run(["status"], settings);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains($"Bearer {backendKey}", backend.AuthorizationHeaders);
        Assert.DoesNotContain(backendKey, status.Stdout + status.Stderr, StringComparison.Ordinal);

        // A value sealed under another key (or changed) stops the start and names the setting, never the value.
        settings["Backends__scripted__ApiKey"] = value[..^6] + (value[^6..] == "AAAAAA" ? "BBBBBB" : "AAAAAA");
        var broken = await Run(["status"], settings);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("Backends:scripted:ApiKey could not be decrypted", broken.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(settings["Backends__scripted__ApiKey"], broken.Stderr, StringComparison.Ordinal);

        var empty = await Run(["secrets", "encrypt"], stdin: "");
        Assert.Equal(1, empty.ExitCode);
    }

    [GeneratedRegex(@"Token: (\S+)")]
    private static partial Regex TokenLine();
}

public sealed class AccountSecretsCliTests_Sqlite : AccountSecretsCliTests;

public sealed class AccountSecretsCliTests_Postgres : AccountSecretsCliTests
{
    private readonly TestPostgres _database = new();

    public override async Task InitializeAsync() =>
        Environment["ConnectionStrings__Postgres"] = await _database.CreateAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DropAsync();
    }
}
