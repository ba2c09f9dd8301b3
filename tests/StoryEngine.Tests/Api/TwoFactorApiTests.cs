using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Secrets;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Two-factor sign-in with TOTP and recovery codes (issue 4 §2).</summary>
public abstract class TwoFactorApiTests(ServerFixture server)
{
    [Fact]
    public async Task enrolling_turns_on_two_factor_sign_in_and_each_code_works_once()
    {
        using var account = await server.CreateAccountAsync();
        Assert.False((await Status(account)).GetProperty("enabled").GetBoolean());
        var enrolment = await (await account.Client.PostAsJsonAsync("/api/v1/me/2fa", new { })).JsonAsync();
        var secret = enrolment.Str("secret");
        Assert.Matches("^[A-Z2-7]{32}$", secret);
        Assert.Contains($"secret={secret}", enrolment.Str("otpauthUri"), StringComparison.Ordinal);
        Assert.StartsWith(
            $"otpauth://totp/Story%20Engine:{account.Username}?",
            enrolment.Str("otpauthUri"),
            StringComparison.Ordinal
        );
        Assert.True((await Status(account)).GetProperty("pending").GetBoolean());
        // Until confirmed, the password alone still signs in.
        Assert.Equal(HttpStatusCode.OK, (await Login(account.Username, account.Password)).StatusCode);

        var wrong = await (
            await account.Client.PostAsJsonAsync(
                "/api/v1/me/2fa/confirm",
                new { code = "000000" == CodeAt(secret, 0) ? "111111" : "000000" }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(wrong.GetProperty("errors").TryGetProperty("code", out _));
        var confirmed = await (
            await account.Client.PostAsJsonAsync("/api/v1/me/2fa/confirm", new { code = CodeAt(secret, 0) })
        ).JsonAsync();
        var recovery = confirmed.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.Equal(10, recovery.Distinct().Count());
        var status = await Status(account);
        Assert.True(status.GetProperty("enabled").GetBoolean());
        Assert.Equal(10, status.GetProperty("recoveryCodesLeft").GetInt32());
        await (await account.Client.PostAsJsonAsync("/api/v1/me/2fa", new { })).AssertProblemAsync(
            HttpStatusCode.Conflict,
            "two_factor_already_enabled"
        );

        // The right password alone is not enough; a wrong one says only that it is wrong.
        await (await Login(account.Username, account.Password)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "two_factor_required"
        );
        await (await Login(account.Username, "not the password at all")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_credentials"
        );
        await (await Login(account.Username, "not the password at all", code: CodeAt(secret, 0))).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_credentials"
        );
        // The code that confirmed the enrolment is spent.
        await (await Login(account.Username, account.Password, code: CodeAt(secret, 0))).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_two_factor_code"
        );

        server.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        Assert.Equal(
            HttpStatusCode.OK,
            (await Login(account.Username, account.Password, code: CodeAt(secret, 0))).StatusCode
        );
        await (await Login(account.Username, account.Password, code: CodeAt(secret, 0))).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_two_factor_code"
        );

        // One step of drift either way is allowed; an older step than the last one used never is.
        server.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        Assert.Equal(
            HttpStatusCode.OK,
            (await Login(account.Username, account.Password, code: CodeAt(secret, +1))).StatusCode
        );
        await (await Login(account.Username, account.Password, code: CodeAt(secret, 0))).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_two_factor_code"
        );

        var actions = (await server.AuditOfAsync(account.Id)).Select(e => e.Action).ToArray();
        Assert.Contains(AuditActions.TwoFactorEnabled, actions);
        Assert.Contains(AuditActions.TwoFactorFailed, actions);
    }

    [Fact]
    public async Task a_recovery_code_signs_in_once()
    {
        using var account = await server.CreateAccountAsync();
        var (_, recovery) = await EnableAsync(account);
        var code = recovery[3];
        Assert.Equal(
            HttpStatusCode.OK,
            (await Login(account.Username, account.Password, recoveryCode: code.ToUpperInvariant())).StatusCode
        );
        await (await Login(account.Username, account.Password, recoveryCode: code)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_two_factor_code"
        );
        await (await Login(account.Username, account.Password, recoveryCode: "aaaa-bbbb-cccc-dddd")).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_two_factor_code"
        );
        using var fresh = await SignInWithRecoveryAsync(account, recovery[4]);
        Assert.Equal(
            8,
            (await fresh.Client.GetFromJsonAsync<JsonElement>("/api/v1/me/2fa"))
                .GetProperty("recoveryCodesLeft")
                .GetInt32()
        );
        Assert.Contains(await server.AuditOfAsync(account.Id), e =>
            e.Action == AuditActions.RecoveryCodeUsed && e.Detail == "left=8"
        );
    }

    [Fact]
    public async Task wrong_codes_count_toward_the_sign_in_lockout()
    {
        using var account = await server.CreateAccountAsync();
        var (secret, _) = await EnableAsync(account);
        var wrong = CodeAt(secret, 0) == "123456" ? "654321" : "123456";
        for (var i = 0; i < LockoutSettings.Default.AccountLockAfter; i++)
        {
            if (i >= LockoutSettings.Default.AccountFreeAttempts)
            {
                // Past the free attempts each one must wait out its delay (30 s at most) to be counted; the clock
                // moves instead of the test, so a slow machine cannot turn the lock below into a short delay that
                // has already passed (this test failed that way under load with 5 failures and a 1 s delay).
                server.Clock.Advance(LockoutSettings.Default.MaxDelay + TimeSpan.FromSeconds(1));
            }
            await (await Login(account.Username, account.Password, code: wrong)).AssertProblemAsync(
                HttpStatusCode.Unauthorized,
                "invalid_two_factor_code"
            );
        }
        // Ten failures lock the name for 15 minutes: now even the right password and an unused, valid code must wait.
        var throttled = await Login(account.Username, account.Password, code: CodeAt(secret, +1));
        await throttled.AssertProblemAsync(HttpStatusCode.TooManyRequests, "login_throttled");
    }

    [Fact]
    public async Task turning_it_off_needs_the_password_and_a_current_code()
    {
        using var account = await server.CreateAccountAsync();
        var (secret, _) = await EnableAsync(account);
        server.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));

        var badPassword = await (await Disable(account, "not my password", CodeAt(secret, 0))).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.True(badPassword.GetProperty("errors").TryGetProperty("password", out _));
        var noCode = await (await Disable(account, account.Password, null)).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.True(noCode.GetProperty("errors").TryGetProperty("code", out _));
        Assert.True((await Status(account)).GetProperty("enabled").GetBoolean());

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await Disable(account, account.Password, CodeAt(secret, 0))).StatusCode
        );
        Assert.False((await Status(account)).GetProperty("enabled").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await Login(account.Username, account.Password)).StatusCode);
        await (await Disable(account, account.Password, CodeAt(secret, 0))).AssertProblemAsync(
            HttpStatusCode.Conflict,
            "two_factor_not_enabled"
        );
        Assert.Contains(await server.AuditOfAsync(account.Id), e => e.Action == AuditActions.TwoFactorDisabled);
    }

    [Fact]
    public async Task erasing_the_account_needs_the_second_factor_too()
    {
        using var account = await server.CreateAccountAsync();
        var (secret, _) = await EnableAsync(account);
        Task<HttpResponseMessage> Erase(string? twoFactorCode) =>
            account.Client.SendAsync(
                new HttpRequestMessage(HttpMethod.Delete, "/api/v1/me")
                {
                    Content = JsonContent.Create(new { password = account.Password, twoFactorCode }),
                }
            );

        var missing = await (await Erase(null)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(missing.GetProperty("errors").TryGetProperty("twoFactorCode", out _));
        // The code that turned it on is spent.
        await (await Erase(CodeAt(secret, 0))).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(HttpStatusCode.OK, (await account.Client.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Erase(CodeAt(secret, +1))).StatusCode);
        await (await Login(account.Username, account.Password, code: CodeAt(secret, +1))).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_credentials"
        );
    }

    [Fact]
    public async Task the_database_holds_the_totp_secret_only_encrypted()
    {
        using var account = await server.CreateAccountAsync();
        var (secret, recovery) = await EnableAsync(account);
        await using var connection = await server
            .Services.GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        var stored = await connection.QuerySingleAsync<string>(
            "SELECT secret FROM user_two_factor WHERE user_id = " + "@Id",
            new { account.Id }
        );
        Assert.StartsWith("v1:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.Equal(secret, server.Services.GetRequiredService<SecretBox>().Open(stored));
        var hashes = (
            await connection.QueryAsync<string>(
                "SELECT code_hash FROM user_recovery_codes WHERE user_id " + "= @Id",
                new { account.Id }
            )
        ).ToArray();
        Assert.Equal(10, hashes.Length);
        Assert.DoesNotContain(hashes, h => recovery.Any(r => h.Contains(r.Replace("-", ""), StringComparison.Ordinal)));
    }

    private string CodeAt(string secret, int stepsFromNow) =>
        Totp.Code(Base32.Decode(secret)!, Totp.StepAt(server.Clock.GetUtcNow()) + stepsFromNow);

    private async Task<(string Secret, string[] RecoveryCodes)> EnableAsync(TestAccount account)
    {
        var secret = (await (await account.Client.PostAsJsonAsync("/api/v1/me/2fa", new { })).JsonAsync()).Str(
            "secret"
        );
        var confirmed = await (
            await account.Client.PostAsJsonAsync("/api/v1/me/2fa/confirm", new { code = CodeAt(secret, 0) })
        ).JsonAsync();
        return (secret, confirmed.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray());
    }

    private async Task<TestAccount> SignInWithRecoveryAsync(TestAccount account, string recoveryCode)
    {
        var tokens = await (await Login(account.Username, account.Password, recoveryCode: recoveryCode)).JsonAsync();
        var client = server.ClientWith(tokens.Str("accessToken"));
        return account with { Client = client, AccessToken = tokens.Str("accessToken") };
    }

    private async Task<HttpResponseMessage> Login(
        string username,
        string password,
        string? code = null,
        string? recoveryCode = null
    )
    {
        using var client = server.CreateClient();
        return await client.PostAsJsonAsync(
            "/api/v1/auth/login",
            new
            {
                username,
                password,
                code,
                recoveryCode,
            }
        );
    }

    private async Task<JsonElement> Status(TestAccount account)
    {
        // A fresh sign-in each time is not possible with 2FA on; the account's first token stays valid while the clock
        // moves seconds.
        return await account.Client.GetFromJsonAsync<JsonElement>("/api/v1/me/2fa");
    }

    private static Task<HttpResponseMessage> Disable(TestAccount account, string password, string? code) =>
        account.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, "/api/v1/me/2fa")
            {
                Content = JsonContent.Create(new { password, code }),
            }
        );
}

[Collection(SqliteCollection.Name)]
public sealed class TwoFactorApiTests_Sqlite(SqliteServerFixture server) : TwoFactorApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class TwoFactorApiTests_Postgres(PostgresServerFixture server) : TwoFactorApiTests(server);
