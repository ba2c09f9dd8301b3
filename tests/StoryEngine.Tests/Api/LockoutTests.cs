using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Brute-force protection (issue 4): failed sign-ins slow down and then lock, per account name and per address,
/// alike for names that exist and names that do not. Each test runs a server of its own with small limits and moves
/// its clock instead of waiting.
/// </summary>
public abstract class LockoutTests
{
    private const string Wrong = "not the right password";

    protected abstract ServerFixture NewFixture();

    [Fact]
    public async Task failed_sign_ins_slow_down_then_lock_the_account_until_the_lock_expires()
    {
        await using var owned = await StartAsync(accountFree: 3, accountLock: 5);
        var server = owned.Fixture;
        using var account = await server.CreateAccountAsync();
        using var client = server.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            await (await Login(client, account.Username, Wrong)).AssertProblemAsync(
                HttpStatusCode.Unauthorized,
                "invalid_credentials"
            );
        }
        // Three failures are free; now even the right password must wait 2 s, then 4 s.
        await AssertThrottledAsync(await Login(client, account.Username, account.Password), 2);
        server.Clock.Advance(TimeSpan.FromSeconds(2));
        await (await Login(client, account.Username, Wrong)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_credentials"
        );
        await AssertThrottledAsync(await Login(client, account.Username, account.Password), 4);
        server.Clock.Advance(TimeSpan.FromSeconds(4));
        await (await Login(client, account.Username, Wrong)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_credentials"
        );

        // The fifth failure locks the account for 10 minutes.
        await AssertThrottledAsync(await Login(client, account.Username, account.Password), 600);
        server.Clock.Advance(TimeSpan.FromMinutes(9));
        await AssertThrottledAsync(await Login(client, account.Username, account.Password), 60);
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await Login(client, account.Username, account.Password)).StatusCode);

        // A success starts the count again: the next mistake is free.
        await (await Login(client, account.Username, Wrong)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_credentials"
        );
        Assert.Equal(HttpStatusCode.OK, (await Login(client, account.Username, account.Password)).StatusCode);
    }

    [Fact]
    public async Task a_name_that_does_not_exist_is_throttled_exactly_like_one_that_does()
    {
        await using var owned = await StartAsync(accountFree: 2, accountLock: 4);
        var server = owned.Fixture;
        using var account = await server.CreateAccountAsync();
        using var client = server.CreateClient();
        var ghost = TestAccounts.NewName("ghost");

        foreach (var step in new[] { 0, 0, 0, 2, 0, 4, 0 })
        {
            server.Clock.Advance(TimeSpan.FromSeconds(step));
            var real = await Login(client, account.Username, Wrong);
            var fake = await Login(client, ghost, Wrong);
            Assert.Equal(real.StatusCode, fake.StatusCode);
            Assert.Equal(real.Headers.RetryAfter?.Delta, fake.Headers.RetryAfter?.Delta);
            var (realBody, fakeBody) = (await Problem(real), await Problem(fake));
            Assert.Equal(realBody.Str("code"), fakeBody.Str("code"));
            Assert.Equal(realBody.Str("detail"), fakeBody.Str("detail"));
        }
        await AssertThrottledAsync(await Login(client, ghost, Wrong), 600);
        await AssertThrottledAsync(await Login(client, account.Username, account.Password), 600);
    }

    [Fact]
    public async Task one_address_trying_many_names_is_slowed_and_locked_while_other_addresses_are_not()
    {
        await using var owned = await StartAsync(accountFree: 50, accountLock: 100, ipFree: 3, ipLock: 5);
        var server = owned.Fixture;
        using var account = await server.CreateAccountAsync();
        using var attacker = server.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            await (await Login(attacker, TestAccounts.NewName("spray"), Wrong)).AssertProblemAsync(
                HttpStatusCode.Unauthorized,
                "invalid_credentials"
            );
        }
        await AssertThrottledAsync(await Login(attacker, TestAccounts.NewName("spray"), Wrong), 2);
        server.Clock.Advance(TimeSpan.FromSeconds(2));
        await (await Login(attacker, TestAccounts.NewName("spray"), Wrong)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_credentials"
        );
        server.Clock.Advance(TimeSpan.FromSeconds(4));
        await (await Login(attacker, TestAccounts.NewName("spray"), Wrong)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "invalid_credentials"
        );
        await AssertThrottledAsync(await Login(attacker, account.Username, account.Password), 600);

        // The account itself is not locked: its owner, elsewhere, signs in.
        using var elsewhere = ClientFrom(server, "127.0.0.2");
        Assert.Equal(HttpStatusCode.OK, (await Login(elsewhere, account.Username, account.Password)).StatusCode);
    }

    [Fact]
    public async Task guessing_the_current_password_on_password_change_is_throttled_too()
    {
        await using var owned = await StartAsync(accountFree: 2, accountLock: 4);
        var server = owned.Fixture;
        using var account = await server.CreateAccountAsync();
        var change = new { currentPassword = Wrong, newPassword = "a brand new passphrase here" };
        for (var i = 0; i < 2; i++)
        {
            await (await account.Client.PostAsJsonAsync("/api/v1/me/password", change)).AssertProblemAsync(
                HttpStatusCode.BadRequest,
                "validation_failed"
            );
        }
        await AssertThrottledAsync(await account.Client.PostAsJsonAsync("/api/v1/me/password", change), 2);
        using var client = server.CreateClient();
        await AssertThrottledAsync(await Login(client, account.Username, account.Password), 2);
    }

    [Fact]
    public async Task lockout_can_be_switched_off()
    {
        await using var owned = await StartAsync(accountFree: 1, accountLock: 1, enabled: false);
        var server = owned.Fixture;
        using var account = await server.CreateAccountAsync();
        using var client = server.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await (await Login(client, account.Username, Wrong)).AssertProblemAsync(
                HttpStatusCode.Unauthorized,
                "invalid_credentials"
            );
        }
        Assert.Equal(HttpStatusCode.OK, (await Login(client, account.Username, account.Password)).StatusCode);
    }

    private static Task<HttpResponseMessage> Login(HttpClient client, string username, string password) =>
        client.PostAsJsonAsync("/api/v1/auth/login", new { username, password });

    private static async Task<JsonElement> Problem(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task AssertThrottledAsync(HttpResponseMessage response, int seconds)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.TooManyRequests, "login_throttled");
        var retryAfter = response.Headers.RetryAfter?.Delta?.TotalSeconds;
        // The clock runs on between the failure and this attempt, so the wait left may be a second short.
        Assert.True(
            retryAfter is { } r && r <= seconds && r >= seconds - 1,
            $"Retry-After {retryAfter}, expected " + $"about {seconds}"
        );
        Assert.DoesNotContain("exist", problem.Str("detail"), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A client whose connections come from another loopback address, as a second machine would.</summary>
    private static HttpClient ClientFrom(ServerFixture server, string address) =>
        new(
            new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            }
        )
        {
            BaseAddress = server.BaseAddress,
        };

    private async Task<OwnedServer> StartAsync(
        int accountFree,
        int accountLock,
        int ipFree = 1000,
        int ipLock = 1000,
        bool enabled = true
    )
    {
        var fixture = NewFixture();
        fixture.ExtraSettings["Auth:Lockout:Enabled"] = enabled ? "true" : "false";
        fixture.ExtraSettings["Auth:Lockout:AccountFreeAttempts"] = accountFree.ToString(
            System.Globalization.CultureInfo.InvariantCulture
        );
        fixture.ExtraSettings["Auth:Lockout:AccountLockAfter"] = accountLock.ToString(
            System.Globalization.CultureInfo.InvariantCulture
        );
        fixture.ExtraSettings["Auth:Lockout:IpFreeAttempts"] = ipFree.ToString(
            System.Globalization.CultureInfo.InvariantCulture
        );
        fixture.ExtraSettings["Auth:Lockout:IpLockAfter"] = ipLock.ToString(
            System.Globalization.CultureInfo.InvariantCulture
        );
        fixture.ExtraSettings["Auth:Lockout:BaseDelaySeconds"] = "2";
        fixture.ExtraSettings["Auth:Lockout:MaxDelaySeconds"] = "8";
        fixture.ExtraSettings["Auth:Lockout:LockMinutes"] = "10";
        fixture.ExtraSettings["Auth:Lockout:ForgetMinutes"] = "30";
        await fixture.InitializeAsync();
        return new OwnedServer(fixture);
    }

    private sealed class OwnedServer(ServerFixture fixture) : IAsyncDisposable
    {
        public ServerFixture Fixture { get; } = fixture;

        public async ValueTask DisposeAsync() => await Fixture.DisposeAsync();
    }
}

public sealed class LockoutTests_Sqlite : LockoutTests
{
    protected override ServerFixture NewFixture() => new SqliteServerFixture();
}

public sealed class LockoutTests_Postgres : LockoutTests
{
    protected override ServerFixture NewFixture() => new PostgresServerFixture();
}
