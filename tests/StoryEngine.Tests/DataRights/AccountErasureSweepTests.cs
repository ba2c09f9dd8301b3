using System.Net;
using System.Net.Http.Json;
using Dapper;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;
using StoryEngine.Tests.Memory;

namespace StoryEngine.Tests.DataRights;

/// <summary>
/// Issue 4 §9's sweep: after <c>DELETE /api/v1/me</c> no row of any table holds any value that identifies the account
/// or anything it owned, while another account's rows are all still there. Runs on the memory tests' small-context
/// server (with the real job queue) so that one account can fill every table there is.
/// </summary>
public abstract class AccountErasureSweepTests(MemoryServer memory)
{
    /// <summary>Tables an account fills; each must hold the account's rows before the erasure, and none
    /// after.</summary>
    private static readonly string[] UserTables =
    [
        "users",
        "user_sessions",
        "user_session_retired_tokens",
        "api_keys",
        "user_two_factor",
        "user_recovery_codes",
        "password_reset_tokens",
        "outbox_messages",
        "audit_log",
        "usage_ledger",
        "jobs",
        "worlds",
        "locations",
        "characters",
        "personas",
        "presets",
        "lorebooks",
        "character_lorebooks",
        "character_files",
        "images", // avatars and covers (ADR 38): the imported card's picture, and the uploads in OwnedData
        "adventures",
        "story_events",
        "story_turns",
        "narration_contexts",
        "lore_activations",
        "memory_entries",
        "memory_generations",
        "story_summaries",
        "memory_scopes", // SQLite only: each adventure's key inside the full-text match (ADR 28)
        "knowledge_documents", // world documents (issue 20): the row, the original, the passages, the generation
        "knowledge_originals",
        "knowledge_chunks",
        "knowledge_generations",
        "scenarios", // issue 24: the scenario, its versions and its share links
        "scenario_versions",
        "scenario_shares",
        "bedtime_stories", // issue 25: a bedtime story, its chapters, their audio and a narration's audio
        "bedtime_chapters",
        "speech_audio",
    ];

    /// <summary>
    /// Tables that hold no one's data in a form that names them: migrations, the erasure marker (empty outside one),
    /// sign-in failures (keyed by a SHA-256 of the name, ADR 14), drafts (cleared when a turn completes) and SQLite's
    /// full-text index (memory_fts holds no text of its own; its shadow tables hold blobs and counters).
    /// </summary>
    private static readonly string[] NoOnesTables =
    [
        "schema_migrations",
        "account_erasures",
        "backup_runs", // which node took which scheduled backup
        "login_failures",
        "narration_drafts",
        // issue 21: a lease lives while a narration runs and two minutes after (erased by owner_id with the rest);
        // rate_windows' keys are SHA-256 hashes of the caller
        "narration_leases",
        "rate_windows",
        "memory_fts",
        "memory_fts_data",
        "memory_fts_idx",
        "memory_fts_docsize",
        "memory_fts_config",
        "knowledge_fts", // SQLite's index of knowledge_chunks (external content: no text of its own)
        "knowledge_fts_data",
        "knowledge_fts_idx",
        "knowledge_fts_docsize",
        "knowledge_fts_config",
    ];

    private ServerFixture Server => memory.Server;

    [Fact]
    public async Task deleting_the_account_leaves_no_row_with_its_id_or_name_in_any_table()
    {
        var provider = Server.Services.GetRequiredService<IStorageProvider>();
        using var user = await Server.CreateAccountAsync(username: TestAccounts.NewName("Erase"));
        var footprint = await AccountFootprint.CreateAsync(Server, user);
        using var bystander = await Server.CreateAccountAsync();
        var kept = await OwnedData.CreateAsync(Server, bystander);
        await BackgroundJobs.SettleAsync(bystander.Client, kept.AdventureId);
        var bystanderIds = await AccountFootprint.IdsOwnedByAsync(bystander.Client);
        using var admin = await Server.CreateAccountAsync(admin: true);
        (
            await admin.Client.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/tier", new { tier = "standard" })
        ).EnsureSuccessStatusCode();

        // A table nobody has classified fails here, so a feature that adds one decides whether it holds someone's data.
        var tables = await DatabaseSweep.TablesAsync(provider);
        var unclassified = tables.Except(UserTables).Except(NoOnesTables).ToArray();
        Assert.True(
            unclassified.Length == 0,
            $"Tables neither in UserTables nor in NoOnesTables: {string.Join(", ", unclassified)}"
        );
        var before = await DatabaseSweep.FindAsync(provider, footprint.Identifiers);
        var empty = UserTables.Where(tables.Contains).Where(t => before.All(m => m.Table != t)).ToArray();
        Assert.True(
            empty.Length == 0,
            $"The account left nothing in {string.Join(", ", empty)}: the sweep would " + "prove nothing there"
        );
        var bystanderBefore = Shape(await DatabaseSweep.FindAsync(provider, bystanderIds));
        var indexedBefore = await FullTextMatchesAsync(provider, footprint.Identifiers);
        Assert.NotEqual(0, indexedBefore ?? 1);

        var wrong = await SendDeleteAsync(
            user.Client,
            new
            {
                password = "not my password at all",
                twoFactorCode = AccountFootprint.CodeNow(Server, footprint.TotpSecret),
            }
        );
        (await wrong.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed"))
            .GetProperty("errors")
            .GetProperty("password");
        await (await SendDeleteAsync(user.Client, new { password = user.Password })).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        // a fresh code: each is accepted once
        Server.Clock.Advance(TimeSpan.FromSeconds(StoryEngine.Core.TwoFactor.Totp.StepSeconds));
        var confirmed = new
        {
            password = user.Password,
            twoFactorCode = AccountFootprint.CodeNow(Server, footprint.TotpSecret),
        };
        Assert.Equal(HttpStatusCode.NoContent, (await SendDeleteAsync(user.Client, confirmed)).StatusCode);

        // Only the account.deleted entry is left, and it names the account by id alone.
        var left = await DatabaseSweep.FindAsync(provider, footprint.Identifiers);
        var missed = left.Where(m => (m.Table, m.Column, m.What) != ("audit_log", "user_id", "user id")).ToArray();
        Assert.True(missed.Length == 0, "Left after the erasure:\n" + string.Join("\n", Shape(missed).Distinct()));
        var deletion = Assert.Single(left);
        Assert.Equal(("audit_log", "user_id", "user id"), (deletion.Table, deletion.Column, deletion.What));
        Assert.StartsWith("account.deleted", deletion.Row.Split(" | ")[2], StringComparison.Ordinal);
        Assert.Equal(0, await FullTextMatchesAsync(provider, footprint.Identifiers) ?? 0);

        // The other account's rows are every one still there.
        Assert.Equal(bystanderBefore, Shape(await DatabaseSweep.FindAsync(provider, bystanderIds)));
        Assert.Equal(
            HttpStatusCode.OK,
            (await bystander.Client.GetAsync($"/api/v1/adventures/{kept.AdventureId}")).StatusCode
        );
        Assert.Equal(HttpStatusCode.Unauthorized, await Server.MeStatusAsync(user.AccessToken));
        using var anonymous = Server.CreateClient();
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (
                await anonymous.PostAsJsonAsync(
                    "/api/v1/auth/login",
                    new { username = user.Username, password = user.Password }
                )
            ).StatusCode
        );
    }

    private static Task<HttpResponseMessage> SendDeleteAsync(HttpClient client, object body) =>
        client.SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, "/api/v1/me") { Content = JsonContent.Create(body) }
        );

    private static string[] Shape(IEnumerable<Mention> mentions) =>
        mentions.Select(m => $"{m.Table}.{m.Column}: {m.What}").Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// SQLite's full-text index keeps its own copy of the words; a row the eraser missed there would still match the
    /// account's story text. Null on PostgreSQL, whose index is a column of memory_entries (searched by the sweep).
    /// </summary>
    private static async Task<long?> FullTextMatchesAsync(
        IStorageProvider provider,
        IEnumerable<(string What, string Value)> identifiers
    )
    {
        if (provider.Engine == "postgres")
        {
            return null;
        }
        await using var connection = await provider.OpenAsync(CancellationToken.None);
        var marker = identifiers.Single(i => i.What == "story text").Value;
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM memory_fts WHERE memory_fts MATCH " + "@Marker",
            new { Marker = marker }
        );
    }
}

public sealed class AccountErasureSweepTests_Sqlite(QueuedMemorySqliteServer memory)
    : AccountErasureSweepTests(memory),
        IClassFixture<QueuedMemorySqliteServer>;

public sealed class AccountErasureSweepTests_Postgres(QueuedMemoryPostgresServer memory)
    : AccountErasureSweepTests(memory),
        IClassFixture<QueuedMemoryPostgresServer>;
