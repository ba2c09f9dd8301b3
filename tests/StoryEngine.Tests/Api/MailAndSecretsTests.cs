using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using StoryEngine.Core.Secrets;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Reset mail delivered by SMTP through the outbox, and issue 4 §7's leak search: a whole session that sets up
/// two-factor
/// sign-in, API keys, a backend with an API key and a password reset, after which no secret (passwords, access and
/// refresh tokens, API keys, TOTP secrets and recovery codes, the backend's key, the reset token) appears in any log
/// line
/// or in any response — API answers and pages — other than the one that hands it out. Each test runs a server of its
/// own (SMTP, a known secrets key).
/// </summary>
public abstract partial class MailAndSecretsTests
{
    protected abstract ServerFixture NewFixture();

    [Fact]
    public async Task a_reset_mail_is_delivered_by_smtp_with_a_working_link()
    {
        await using var smtp = new TestSmtpServer();
        var (fixture, _, _) = await StartAsync(smtp);
        await using var owned = new Owned(fixture);
        using var account = await fixture.CreateAccountAsync();
        var address = $"{account.Username}@example.test";
        (
            await account.Client.PutAsJsonAsync(
                "/api/v1/me/email",
                new { email = address, password = account.Password }
            )
        ).EnsureSuccessStatusCode();

        using var anonymous = fixture.CreateClient();
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await anonymous.PostAsJsonAsync("/api/v1/auth/password-reset", new { username = address })).StatusCode
        );
        var mail = await smtp.WaitForMailAsync();
        Assert.Equal($"<{address}>", mail.To.Single());
        Assert.Equal("<stories@example.test>", mail.From);
        var body = BodyOf(mail);
        var link = LinkPattern().Match(body);
        Assert.True(link.Success, body);
        Assert.StartsWith(
            "https://stories.example.test/reset-password?token=pr_",
            link.Value,
            StringComparison.Ordinal
        );

        var token = Uri.UnescapeDataString(link.Groups["token"].Value);
        var newPassword = "a new passphrase from the mail";
        Assert.Equal(
            HttpStatusCode.NoContent,
            (
                await anonymous.PostAsJsonAsync("/api/v1/auth/password-reset/confirm", new { token, newPassword })
            ).StatusCode
        );
        using var signedIn = await fixture.SignInAsync(account.Username, newPassword);

        // Sent mail leaves the outbox with its body forgotten: the token is not kept in the clear anywhere.
        await using var connection = await fixture
            .Services.GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        var row = await connection.QuerySingleAsync<(long? SentAt, string? Body)>(
            "SELECT sent_at AS SentAt, body AS Body FROM outbox_messages WHERE recipient = " + "@Address",
            new { Address = address }
        );
        Assert.NotNull(row.SentAt);
        Assert.Null(row.Body);
    }

    [Fact]
    public async Task no_secret_reaches_a_log_or_a_response_other_than_the_one_that_hands_it_out()
    {
        await using var smtp = new TestSmtpServer();
        var (fixture, logs, backendKey) = await StartAsync(smtp);
        await using var owned = new Owned(fixture);
        var responses = new List<string>();
        async Task<string> Call(HttpClient client, HttpMethod method, string url, object? body = null)
        {
            using var request = new HttpRequestMessage(method, url)
            {
                Content = body is null ? null : JsonContent.Create(body),
            };
            using var response = await client.SendAsync(request);
            var text =
                string.Join(
                    "\n",
                    response
                        .Headers.Concat(response.Content.Headers)
                        .Select(h => $"{h.Key}: {string.Join(",", h.Value)}")
                )
                + "\n"
                + await response.Content.ReadAsStringAsync();
            responses.Add(text);
            Assert.True(response.IsSuccessStatusCode, $"{method} {url}: {text}");
            return text;
        }
        string Field(string json, string name) =>
            System
                .Text.Json.JsonDocument.Parse(json[json.IndexOf("\n{", StringComparison.Ordinal)..])
                .RootElement.GetProperty(name)
                .GetString()!;

        var username = TestAccounts.NewName("leak");
        var password = "the first secret passphrase";
        var newPassword = "the second secret passphrase";
        // Access and refresh tokens, each allowed only in the answer that issued it.
        var tokenSecrets = new List<(string Name, string Value, int? ShownAt)>();
        async Task<string> SignIn(HttpClient client, string url, object body)
        {
            var shownAt = responses.Count;
            var answer = await Call(client, HttpMethod.Post, url, body);
            tokenSecrets.Add(($"access token from {url}", Field(answer, "accessToken"), shownAt));
            tokenSecrets.Add(($"refresh token from {url}", Field(answer, "refreshToken"), shownAt));
            return answer;
        }
        using var anonymous = fixture.CreateClient();
        await Call(anonymous, HttpMethod.Post, "/api/v1/auth/register", new { username, password });
        var tokens = await SignIn(anonymous, "/api/v1/auth/login", new { username, password });
        tokens = await SignIn(anonymous, "/api/v1/auth/refresh", new { refreshToken = Field(tokens, "refreshToken") });
        using var user = fixture.ClientWith(Field(tokens, "accessToken"));
        using var web = await Web.CookieClient.SignInAsync(fixture, username, password);
        using var admin = await fixture.CreateAccountAsync(admin: true);
        using var adminWeb = await Web.CookieClient.SignInAsync(fixture, admin.Username);
        await Call(user, HttpMethod.Put, "/api/v1/me/email", new { email = $"{username}@example.test", password });

        // An API key, used for a read and a turn: the backend gets its own key, decrypted from configuration.
        var keyResponseAt = responses.Count;
        var apiKey = Field(
            await Call(
                user,
                HttpMethod.Post,
                "/api/v1/me/api-keys",
                new { name = "leak probe", scopes = new[] { "read", "write", "play" } }
            ),
            "key"
        );
        using var script = fixture.ClientWith(apiKey);
        var world = Field(await Call(script, HttpMethod.Post, "/api/v1/worlds", new { name = "Leak world" }), "id");
        var adventure = Field(await Call(script, HttpMethod.Post, "/api/v1/adventures", new { worldId = world }), "id");
        await Call(
            script,
            HttpMethod.Post,
            $"/api/v1/adventures/{adventure}/turns",
            new { kind = "do", text = "I whisper a secret" }
        );
        Assert.Contains($"Bearer {backendKey}", (await ScriptedBackend.InstanceAsync()).AuthorizationHeaders);
        await Call(script, HttpMethod.Get, "/api/v1/me/api-keys");

        // Two-factor sign-in: enrol, confirm, sign in with a code and with a recovery code.
        var secretResponseAt = responses.Count;
        var totpSecret = Field(await Call(user, HttpMethod.Post, "/api/v1/me/2fa", new { }), "secret");
        string CodeNow(int offset = 0) =>
            Totp.Code(Base32.Decode(totpSecret)!, Totp.StepAt(fixture.Clock.GetUtcNow()) + offset);
        var recoveryResponseAt = responses.Count;
        var confirmed = await Call(user, HttpMethod.Post, "/api/v1/me/2fa/confirm", new { code = CodeNow() });
        var recoveryCodes = RecoveryCodePattern().Matches(confirmed).Select(m => m.Value).ToArray();
        Assert.Equal(10, recoveryCodes.Length);
        await SignIn(
            anonymous,
            "/api/v1/auth/login",
            new
            {
                username,
                password,
                code = CodeNow(+1),
            }
        );
        await SignIn(
            anonymous,
            "/api/v1/auth/login",
            new
            {
                username,
                password,
                recoveryCode = recoveryCodes[0],
            }
        );
        await Call(user, HttpMethod.Get, "/api/v1/me/2fa");

        // Everything that lists what the secrets belong to, over the API and as pages.
        foreach (var url in new[] { "/api/v1/me", "/api/v1/me/sessions", "/api/v1/me/api-keys", "/api/v1/me/export" })
        {
            await Call(user, HttpMethod.Get, url);
        }
        foreach (var page in new[] { "/account", "/account/api-keys", "/account/two-factor" })
        {
            await Call(web, HttpMethod.Get, page);
        }
        await Call(admin.Client, HttpMethod.Get, "/api/v1/admin/backends");
        await Call(adminWeb, HttpMethod.Get, "/admin/backends");

        // A reset by mail, then everything an admin and a stranger can read.
        await Call(anonymous, HttpMethod.Post, "/api/v1/auth/password-reset", new { username });
        var resetToken = Uri.UnescapeDataString(
            LinkPattern().Match(BodyOf(await smtp.WaitForMailAsync())).Groups["token"].Value
        );
        await Call(
            anonymous,
            HttpMethod.Post,
            "/api/v1/auth/password-reset/confirm",
            new { token = resetToken, newPassword }
        );
        await Call(admin.Client, HttpMethod.Get, "/api/v1/admin/audit?limit=200");
        await Call(admin.Client, HttpMethod.Get, "/api/v1/admin/users");
        await Call(adminWeb, HttpMethod.Get, "/admin/audit");
        foreach (var url in new[] { "/health", "/health/ready", "/openapi/v1.json" })
        {
            await Call(anonymous, HttpMethod.Get, url);
        }

        var secrets = new (string Name, string Value, int? ShownAt)[]
        {
            ("password", password, null),
            ("new password", newPassword, null),
            ("backend API key", backendKey, null),
            ("API key", apiKey, keyResponseAt),
            ("API key secret part", apiKey[^43..], keyResponseAt),
            ("TOTP secret", totpSecret, secretResponseAt),
            ("reset token", resetToken, null),
        }
            .Concat(recoveryCodes.Select(c => ("recovery code", c, (int?)recoveryResponseAt)))
            .Concat(tokenSecrets)
            .ToArray();
        Assert.NotEmpty(logs.Lines);
        var failures = new List<string>();
        foreach (var (name, value, _) in secrets)
        {
            // A refresh within the same second re-issues the very same access token (same claims): each answer that
            // handed a value out may show it.
            var issuedBy = secrets.Where(x => x.Item2 == value).Select(x => x.Item3).ToHashSet();
            failures.AddRange(
                logs.Lines.Where(l => l.Contains(value, StringComparison.Ordinal))
                    .Select(l => $"{name} in a log line: {l}")
            );
            failures.AddRange(
                responses
                    .Where((r, i) => !issuedBy.Contains(i) && r.Contains(value, StringComparison.Ordinal))
                    .Select(r => $"{name} in a response: {r[..Math.Min(300, r.Length)]}")
            );
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // At rest: the TOTP secret only sealed; nothing of the above in any text column of the tables this feature
        // writes.
        await using var connection = await fixture
            .Services.GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        var stored = await connection.QuerySingleAsync<string>("SELECT secret FROM user_two_factor");
        Assert.StartsWith("v1:", stored, StringComparison.Ordinal);
        Assert.Equal(totpSecret, fixture.Services.GetRequiredService<SecretBox>().Open(stored));
        var dump = string.Join(
            "\n",
            (
                await connection.QueryAsync<string>(
                    "SELECT secret FROM user_two_factor UNION ALL SELECT code_hash FROM user_recovery_codes UNION ALL "
                        + "SELECT key_hash FROM api_keys "
                        + "UNION ALL SELECT token_hash FROM password_reset_tokens UNION ALL SELECT COALESCE(body, "
                        + "'') FROM "
                        + "outbox_messages "
                        + "UNION ALL SELECT COALESCE(detail, '') FROM audit_log UNION ALL SELECT password_hash FROM "
                        + "users"
                )
            )
        );
        foreach (var (name, value, _) in secrets)
        {
            Assert.False(dump.Contains(value, StringComparison.Ordinal), $"{name} is stored in the clear");
        }
    }

    private async Task<(ServerFixture Fixture, LogCapture Logs, string BackendKey)> StartAsync(TestSmtpServer smtp)
    {
        var secretsKey = RandomNumberGenerator.GetBytes(32);
        var backendKey = "sk-backend-" + Guid.NewGuid().ToString("N");
        var logs = new LogCapture();
        var fixture = NewFixture();
        fixture.Logs = logs;
        fixture.ExtraSettings["Secrets:Key"] = Convert.ToBase64String(secretsKey);
        fixture.ExtraSettings["Backends:scripted:ApiKey"] = "enc:" + new SecretBox(secretsKey).Seal(backendKey);
        fixture.ExtraSettings["Smtp:Host"] = "127.0.0.1";
        fixture.ExtraSettings["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        fixture.ExtraSettings["Smtp:From"] = "stories@example.test";
        fixture.ExtraSettings["Smtp:Tls"] = "false";
        fixture.ExtraSettings["Smtp:PollSeconds"] = "1";
        fixture.ExtraSettings["PasswordReset:PublicUrl"] = "https://stories.example.test";
        // Everything the framework and the server would log, at every level.
        fixture.ExtraSettings["Logging:LogLevel:Default"] = "Trace";
        fixture.ExtraSettings["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
        await fixture.InitializeAsync();
        return (fixture, logs, backendKey);
    }

    private static string BodyOf(TestSmtpServer.Mail mail)
    {
        var split = mail.Data.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = mail.Data[..split];
        var body = mail.Data[(split + 4)..];
        return headers.Contains("Content-Transfer-Encoding: base64", StringComparison.OrdinalIgnoreCase)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(body.Replace("\r\n", "", StringComparison.Ordinal)))
            : body;
    }

    [GeneratedRegex(@"https?://\S+/reset-password\?token=(?<token>[A-Za-z0-9_%-]+)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex("[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}")]
    private static partial Regex RecoveryCodePattern();

    private sealed class Owned(ServerFixture fixture) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await fixture.DisposeAsync();
    }
}

public sealed class MailAndSecretsTests_Sqlite : MailAndSecretsTests
{
    protected override ServerFixture NewFixture() => new SqliteServerFixture();
}

public sealed class MailAndSecretsTests_Postgres : MailAndSecretsTests
{
    protected override ServerFixture NewFixture() => new PostgresServerFixture();
}
