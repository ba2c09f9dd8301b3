using System.Net.Http.Json;
using Dapper;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// The tables of migration 0005 reference users with ON DELETE CASCADE, so removing an account (DELETE /api/v1/me)
/// leaves no key, enrolment, recovery code, reset token or queued mail of it behind — on both engines.
/// </summary>
public abstract class AccountSecretsCascadeTests(ServerFixture server)
{
    private static readonly string[] Tables =
    [
        "api_keys",
        "user_two_factor",
        "user_recovery_codes",
        "password_reset_tokens",
        "outbox_messages",
    ];

    [Fact]
    public async Task deleting_a_user_row_removes_their_keys_codes_tokens_and_mail()
    {
        using var account = await server.CreateAccountAsync();
        using var neighbour = await server.CreateAccountAsync();
        foreach (var who in new[] { account, neighbour })
        {
            await who.Client.PostJsonAsync("/api/v1/me/api-keys", new { name = "cascade", scopes = new[] { "read" } });
            var secret = (await (await who.Client.PostAsJsonAsync("/api/v1/me/2fa", new { })).JsonAsync()).Str(
                "secret"
            );
            var code = Totp.Code(Base32.Decode(secret)!, Totp.StepAt(server.Clock.GetUtcNow()));
            (await who.Client.PostAsJsonAsync("/api/v1/me/2fa/confirm", new { code })).EnsureSuccessStatusCode();
            (
                await who.Client.PutAsJsonAsync(
                    "/api/v1/me/email",
                    new { email = who.Username + "@example.test", password = who.Password }
                )
            ).EnsureSuccessStatusCode();
            using var anonymous = server.CreateClient();
            (
                await anonymous.PostAsJsonAsync("/api/v1/auth/password-reset", new { username = who.Username })
            ).EnsureSuccessStatusCode();
        }
        await using var connection = await server
            .Services.GetRequiredService<IStorageProvider>()
            .OpenAsync(CancellationToken.None);
        foreach (var table in Tables)
        {
            Assert.True(await CountAsync(connection, table, account.Id) > 0, $"{table} has no row to remove");
        }

        await connection.ExecuteAsync("DELETE FROM users WHERE id = @Id", new { account.Id });

        foreach (var table in Tables)
        {
            Assert.Equal(0, await CountAsync(connection, table, account.Id));
            Assert.True(await CountAsync(connection, table, neighbour.Id) > 0, $"{table} lost the neighbour's rows");
        }
    }

    private static Task<long> CountAsync(System.Data.Common.DbConnection connection, string table, string userId) =>
        connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE user_id = @Id", new { Id = userId });
}

[Collection(SqliteCollection.Name)]
public sealed class AccountSecretsCascadeTests_Sqlite(SqliteServerFixture server) : AccountSecretsCascadeTests(server);

[Collection(PostgresCollection.Name)]
public sealed class AccountSecretsCascadeTests_Postgres(PostgresServerFixture server)
    : AccountSecretsCascadeTests(server);
