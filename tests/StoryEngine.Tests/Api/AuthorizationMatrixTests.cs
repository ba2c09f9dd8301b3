using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StoryEngine.Core.PasswordReset;
using StoryEngine.Core.TwoFactor;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Issue 4's authorization test: every operation in /openapi/v1.json, called as anonymous, as a plain user who does not
/// own the resource, as its owner and as an admin, answers what its kind of route promises. A route the table below
/// does not classify fails the test, so no new endpoint escapes it.
/// </summary>
public abstract class AuthorizationMatrixTests(ServerFixture server)
{
    /// <summary>Who may call a route.</summary>
    public enum Access
    {
        /// <summary>Anyone, signed in or not: health, register, login, refresh.</summary>
        Public,

        /// <summary>Any signed-in user, about their own account or collections: 401 when anonymous.</summary>
        Self,

        /// <summary>Names a resource that belongs to someone: 401 anonymous, 404 for anyone but its owner (admins
        /// included).</summary>
        Owned,

        /// <summary>The admin role only: 401 anonymous, 403 for plain users.</summary>
        Admin,

        /// <summary>Names something of its owner's that admins may also read (a background job): 401 anonymous, 404 for
        /// other users.</summary>
        OwnedOrAdmin,
    }

    /// <summary>
    /// One operation: how to call it with real ids, what its owner (for Admin routes: the admin) gets, and what anyone
    /// else gets for an Owned route (404, or 400 where the resource is named in the body: the answer for an unknown
    /// id).
    /// </summary>
    public sealed record Route(
        string Key,
        Access Access,
        Func<World, string> Path,
        Func<World, Caller, Task<object?>>? Body,
        int Success,
        int? AlsoSuccess = null,
        int Stranger = 404
    );

    [Fact]
    public async Task every_route_in_the_openapi_document_is_classified()
    {
        var documented = await DocumentedOperationsAsync();
        var table = Table().Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var unclassified = documented.Where(op => !table.Contains(op)).ToArray();
        var stale = table.Where(op => !documented.Contains(op)).ToArray();
        Assert.True(
            unclassified.Length == 0,
            "Add these routes to AuthorizationMatrixTests.Table(): " + string.Join(", ", unclassified)
        );
        Assert.True(stale.Length == 0, "These routes are no longer in /openapi/v1.json: " + string.Join(", ", stale));
    }

    [Fact]
    public async Task every_route_answers_each_caller_as_its_access_rule_says()
    {
        var documented = await DocumentedOperationsAsync();
        using var stranger = await server.CreateAccountAsync();
        var failures = new List<string>();
        foreach (var route in Table().Where(r => documented.Contains(r.Key)))
        {
            // Fresh accounts and data for every route: owners and admins may change or delete what they call.
            var world = await World.CreateAsync(server);
            using var admin = await server.CreateAccountAsync(admin: true);
            var anonymous = new Caller("anonymous", null, world.Owner.Username, TestAccounts.Password);
            var plain = new Caller("another user", stranger.AccessToken, stranger.Username, stranger.Password);
            var owner = new Caller("owner", world.Owner.AccessToken, world.Owner.Username, world.Owner.Password);
            var adminCaller = new Caller("admin", admin.AccessToken, admin.Username, admin.Password);

            // The owner goes last: what they are allowed to do may change or delete the data.
            int[] success = route.AlsoSuccess is { } also ? [route.Success, also] : [route.Success];
            (Caller Who, int[] Statuses)[] expectations = route.Access switch
            {
                Access.Public => [(anonymous, success)],
                Access.Self => [(anonymous, [401]), (adminCaller, success), (owner, success)],
                Access.Owned =>
                [
                    (anonymous, [401]),
                    (plain, [route.Stranger]),
                    (adminCaller, [route.Stranger]),
                    (owner, success),
                ],
                Access.Admin => [(anonymous, [401]), (plain, [403]), (owner, [403]), (adminCaller, success)],
                Access.OwnedOrAdmin =>
                [
                    (anonymous, [401]),
                    (plain, [route.Stranger]),
                    (adminCaller, success),
                    (owner, success),
                ],
                _ => throw new InvalidOperationException(route.Access.ToString()),
            };
            foreach (var (caller, expect) in expectations)
            {
                var (status, body) = await CallAsync(route, world, caller);
                if (!expect.Contains(status))
                {
                    failures.Add(
                        $"{route.Key} as {caller.Name}: expected {string.Join(" or ", expect)}, got "
                            + "{status} {Truncate(body)}"
                    );
                }
                else if (status is 401 or 403 or 404 && !body.Contains("\"code\"", StringComparison.Ordinal))
                {
                    failures.Add($"{route.Key} as {caller.Name}: {status} without a problem code: {Truncate(body)}");
                }
            }
            world.Owner.Dispose();
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task<(int Status, string Body)> CallAsync(Route route, World world, Caller caller)
    {
        using var client = server.ClientWith(caller.AccessToken);
        var method = new HttpMethod(route.Key[..route.Key.IndexOf(' ', StringComparison.Ordinal)]);
        using var request = new HttpRequestMessage(method, route.Path(world));
        if (route.Body is not null && await route.Body(world, caller) is { } body)
        {
            // A picture upload sends the image itself; everything else sends JSON.
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<HashSet<string>> DocumentedOperationsAsync()
    {
        using var client = server.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        return document
            .GetProperty("paths")
            .EnumerateObject()
            .SelectMany(p =>
                p.Value.EnumerateObject()
                    .Where(op => op.Name is "get" or "post" or "put" or "patch" or "delete")
                    .Select(op => $"{op.Name.ToUpperInvariant()} {p.Name}")
            )
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every documented operation, classified. Bodies are valid, so a refusal can only be about who is
    /// calling.</summary>
    private IEnumerable<Route> Table()
    {
        Func<World, Caller, Task<object?>> body(Func<World, Caller, object?> make) =>
            (w, c) => Task.FromResult(make(w, c));
        var named = body((_, _) => new { name = "Matrix item", description = "for the authorization matrix" });

        yield return new("GET /health/live", Access.Public, _ => "/health/live", null, 200);
        yield return new("GET /health/ready", Access.Public, _ => "/health/ready", null, 200);
        yield return new("GET /health", Access.Public, _ => "/health", null, 200);

        yield return new(
            "POST /api/v1/auth/register",
            Access.Public,
            _ => "/api/v1/auth/register",
            body((_, _) => new { username = TestAccounts.NewName("reg"), password = TestAccounts.Password }),
            201
        );
        yield return new(
            "POST /api/v1/auth/login",
            Access.Public,
            _ => "/api/v1/auth/login",
            body((w, _) => new { username = w.Owner.Username, password = w.Owner.Password }),
            200
        );
        yield return new(
            "POST /api/v1/auth/refresh",
            Access.Public,
            _ => "/api/v1/auth/refresh",
            async (w, _) => new { refreshToken = (await server.SignInAsync(w.Owner.Username)).RefreshToken },
            200
        );
        yield return new("POST /api/v1/auth/logout", Access.Self, _ => "/api/v1/auth/logout", null, 204);
        yield return new("GET /api/v1/me", Access.Self, _ => "/api/v1/me", null, 200);
        yield return new("GET /api/v1/me/sessions", Access.Self, _ => "/api/v1/me/sessions", null, 200);
        yield return new(
            "DELETE /api/v1/me/sessions/{id}",
            Access.Owned,
            w => $"/api/v1/me/sessions/{w.SpareSessionId}",
            null,
            204
        );
        yield return new(
            "POST /api/v1/me/password",
            Access.Self,
            _ => "/api/v1/me/password",
            body((_, c) => new { currentPassword = c.Password, newPassword = "a new passphrase for the matrix" }),
            204
        );

        yield return new(
            "POST /api/v1/me/api-keys",
            Access.Self,
            _ => "/api/v1/me/api-keys",
            body((_, _) => new { name = "matrix", scopes = new[] { "read" } }),
            201
        );
        yield return new("GET /api/v1/me/api-keys", Access.Self, _ => "/api/v1/me/api-keys", null, 200);
        yield return new(
            "DELETE /api/v1/me/api-keys/{id}",
            Access.Owned,
            w => $"/api/v1/me/api-keys/{w.ApiKeyId}",
            null,
            204
        );
        yield return new("GET /api/v1/me/2fa", Access.Self, _ => "/api/v1/me/2fa", null, 200);
        yield return new("POST /api/v1/me/2fa", Access.Self, _ => "/api/v1/me/2fa", body((_, _) => new { }), 200);
        yield return new(
            "POST /api/v1/me/2fa/confirm",
            Access.Self,
            _ => "/api/v1/me/2fa/confirm",
            async (_, c) => new { code = c.AccessToken is null ? "000000" : CodeFor(await BeginTwoFactorAsync(c), 0) },
            200
        );
        yield return new(
            "DELETE /api/v1/me/2fa",
            Access.Self,
            _ => "/api/v1/me/2fa",
            async (_, c) =>
                new
                {
                    password = c.Password,
                    code = c.AccessToken is null ? "000000" : CodeFor(await EnableTwoFactorAsync(c), 1),
                },
            204
        );
        yield return new("GET /api/v1/me/email", Access.Self, _ => "/api/v1/me/email", null, 200);
        yield return new(
            "PUT /api/v1/me/email",
            Access.Self,
            _ => "/api/v1/me/email",
            body((_, c) => new { email = TestAccounts.NewName("m") + "@example.test", password = c.Password }),
            200
        );
        yield return new(
            "POST /api/v1/auth/password-reset",
            Access.Public,
            _ => "/api/v1/auth/password-reset",
            body((w, _) => new { username = w.Owner.Username }),
            202
        );
        yield return new(
            "POST /api/v1/auth/password-reset/confirm",
            Access.Public,
            _ => "/api/v1/auth/password-reset/confirm",
            async (w, _) =>
                new
                {
                    token = (
                        await server
                            .Services.GetRequiredService<PasswordResetService>()
                            .IssueLinkAsync(w.Owner.Username, CancellationToken.None)
                    ).Token,
                    newPassword = "a reset passphrase for the matrix",
                },
            204
        );

        yield return new("GET /api/v1/admin/users", Access.Admin, _ => "/api/v1/admin/users", null, 200);
        yield return new("GET /api/v1/admin/evaluations", Access.Admin, _ => "/api/v1/admin/evaluations", null, 200);
        yield return new(
            "POST /api/v1/admin/users/{id}/disable",
            Access.Admin,
            w => $"/api/v1/admin/users/{w.VictimId}/disable",
            null,
            200
        );
        yield return new(
            "POST /api/v1/admin/users/{id}/enable",
            Access.Admin,
            w => $"/api/v1/admin/users/{w.VictimId}/enable",
            null,
            200
        );
        yield return new(
            "PUT /api/v1/admin/users/{id}/role",
            Access.Admin,
            w => $"/api/v1/admin/users/{w.VictimId}/role",
            body((_, _) => new { role = "admin" }),
            200
        );
        yield return new("GET /api/v1/admin/audit", Access.Admin, _ => "/api/v1/admin/audit", null, 200);
        yield return new("GET /api/v1/admin/backups", Access.Admin, _ => "/api/v1/admin/backups", null, 200);
        yield return new("GET /api/v1/admin/usage", Access.Admin, _ => "/api/v1/admin/usage", null, 200);
        yield return new(
            "PUT /api/v1/admin/users/{id}/tier",
            Access.Admin,
            w => $"/api/v1/admin/users/{w.VictimId}/tier",
            body((_, _) => new { tier = "standard" }),
            200
        );
        yield return new(
            "PUT /api/v1/admin/users/{id}/quota",
            Access.Admin,
            w => $"/api/v1/admin/users/{w.VictimId}/quota",
            body((_, _) => new { dailyTokens = 1_000_000 }),
            200
        );
        yield return new("GET /api/v1/admin/backends", Access.Admin, _ => "/api/v1/admin/backends", null, 200);

        yield return new("GET /api/v1/me/usage", Access.Self, _ => "/api/v1/me/usage", null, 200);
        yield return new("GET /api/v1/me/export", Access.Self, _ => "/api/v1/me/export", null, 200);
        // Last for each caller: it erases the account (a fresh admin and owner are made for every route).
        yield return new(
            "DELETE /api/v1/me",
            Access.Self,
            _ => "/api/v1/me",
            body((_, c) => new { password = c.Password }),
            204
        );

        // World data: a top-level collection is the caller's own; an item, or anything inside a world, is owned.
        foreach (
            var (collection, template, itemOf, kind) in new (Func<World, string>, string, Func<World, string>, Access)[]
            {
                (_ => "/api/v1/worlds", "/api/v1/worlds", w => w.WorldId, Access.Self),
                (_ => "/api/v1/personas", "/api/v1/personas", w => w.PersonaId, Access.Self),
                (_ => "/api/v1/presets", "/api/v1/presets", w => w.PresetId, Access.Self),
                (
                    w => $"/api/v1/worlds/{w.WorldId}/locations",
                    "/api/v1/worlds/{worldId}/locations",
                    w => w.LocationId,
                    Access.Owned
                ),
                (
                    w => $"/api/v1/worlds/{w.WorldId}/characters",
                    "/api/v1/worlds/{worldId}/characters",
                    w => w.CharacterId,
                    Access.Owned
                ),
                (
                    w => $"/api/v1/worlds/{w.WorldId}/lorebooks",
                    "/api/v1/worlds/{worldId}/lorebooks",
                    w => w.LorebookId,
                    Access.Owned
                ),
                (
                    w => $"/api/v1/worlds/{w.WorldId}/scenarios",
                    "/api/v1/worlds/{worldId}/scenarios",
                    w => w.ScenarioId,
                    Access.Owned
                ),
            }
        )
        {
            yield return new($"GET {template}", kind, collection, null, 200);
            yield return new($"GET {template}/trash", kind, w => collection(w) + "/trash", null, 200);
            yield return new($"POST {template}", kind, collection, named, 201);
            yield return new($"GET {template}/{{id}}", Access.Owned, w => $"{collection(w)}/{itemOf(w)}", null, 200);
            yield return new($"PUT {template}/{{id}}", Access.Owned, w => $"{collection(w)}/{itemOf(w)}", named, 200);
            yield return new(
                $"PATCH {template}/{{id}}",
                Access.Owned,
                w => $"{collection(w)}/{itemOf(w)}",
                body((_, _) => new { tags = new[] { "matrix" } }),
                200
            );
            yield return new($"DELETE {template}/{{id}}", Access.Owned, w => $"{collection(w)}/{itemOf(w)}", null, 204);
            // Reaching a live item's restore proves ownership: it answers 409 not_deleted to its owner only.
            yield return new(
                $"POST {template}/{{id}}/restore",
                Access.Owned,
                w => $"{collection(w)}/{itemOf(w)}/restore",
                null,
                409
            );
        }

        foreach (var route in ScenarioRoutes())
        {
            yield return route;
        }

        // Lore entries, one at a time, in a world's book and in a character's own book.
        foreach (
            var (book, template) in new (Func<World, string>, string)[]
            {
                (
                    w => $"/api/v1/worlds/{w.WorldId}/lorebooks/{w.LorebookId}",
                    "/api/v1/worlds/{worldId}/lorebooks/{id}"
                ),
                (
                    w => $"/api/v1/worlds/{w.WorldId}/characters/{w.CharacterId}/lorebook",
                    "/api/v1/worlds/{worldId}/characters/{id}/lorebook"
                ),
            }
        )
        {
            var entry = body((_, _) => new { keys = new[] { "gate" }, content = "The gate is old." });
            yield return new($"GET {template}/entries", Access.Owned, w => book(w) + "/entries", null, 200);
            yield return new($"POST {template}/entries", Access.Owned, w => book(w) + "/entries", entry, 201);
            yield return new(
                $"GET {template}/entries/{{entryId}}",
                Access.Owned,
                w => book(w) + "/entries/1",
                null,
                200
            );
            yield return new(
                $"PUT {template}/entries/{{entryId}}",
                Access.Owned,
                w => book(w) + "/entries/1",
                entry,
                200
            );
            yield return new(
                $"PATCH {template}/entries/{{entryId}}",
                Access.Owned,
                w => book(w) + "/entries/1",
                body((_, _) => new { comment = "matrix" }),
                200
            );
            yield return new(
                $"DELETE {template}/entries/{{entryId}}",
                Access.Owned,
                w => book(w) + "/entries/1",
                null,
                204
            );
        }
        const string characterBook = "/api/v1/worlds/{worldId}/characters/{id}/lorebook";
        yield return new(
            $"GET {characterBook}",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/characters/{w.CharacterId}/lorebook",
            null,
            200
        );
        yield return new(
            $"PUT {characterBook}",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/characters/{w.CharacterId}/lorebook",
            named,
            200
        );
        yield return new(
            $"DELETE {characterBook}",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/characters/{w.CharacterId}/lorebook",
            null,
            204
        );

        // Pictures (issues 17, 18): the owner's world, character and persona each have one; PUT sends a PNG.
        var png = body((_, _) => TestPictures.Content(TestPictures.Make(8, 8), "image/png"));
        foreach (
            var (template, path) in new (string, Func<World, string>)[]
            {
                ("/api/v1/worlds/{worldId}/characters/{id}/avatar", w =>
                    $"/api/v1/worlds/{w.WorldId}/characters/{w.CharacterId}/avatar"
                ),
                ("/api/v1/personas/{id}/avatar", w => $"/api/v1/personas/{w.PersonaId}/avatar"),
                ("/api/v1/worlds/{id}/cover", w => $"/api/v1/worlds/{w.WorldId}/cover"),
            }
        )
        {
            yield return new($"GET {template}", Access.Owned, path, null, 200);
            yield return new($"PUT {template}", Access.Owned, path, png, 200);
            yield return new($"DELETE {template}", Access.Owned, path, null, 204);
        }

        // Import and export: a card or a World Info file as the raw JSON body; exports as JSON.
        yield return new(
            "POST /api/v1/worlds/{worldId}/characters/import",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/characters/import",
            body(
                (_, _) =>
                    new
                    {
                        spec = "chara_card_v2",
                        spec_version = "2.0",
                        data = new { name = "Imported", description = "From a card" },
                    }
            ),
            201
        );
        yield return new(
            "GET /api/v1/worlds/{worldId}/characters/{id}/export",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/characters/{w.CharacterId}/export?format=json",
            null,
            200
        );
        yield return new(
            "POST /api/v1/worlds/{worldId}/lorebooks/import",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/lorebooks/import",
            body(
                (_, _) =>
                    new
                    {
                        entries = new Dictionary<string, object>
                        {
                            ["0"] = new
                            {
                                uid = 0,
                                key = new[] { "gate" },
                                content = "Old.",
                            },
                        },
                    }
            ),
            201
        );
        yield return new(
            "GET /api/v1/worlds/{worldId}/lorebooks/{id}/export",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/lorebooks/{w.LorebookId}/export?format=st",
            null,
            200
        );

        // World documents and knowledge search (issue 20); an upload is the file itself.
        const string documents = "/api/v1/worlds/{worldId}/documents";
        yield return new($"GET {documents}", Access.Owned, w => $"/api/v1/worlds/{w.WorldId}/documents", null, 200);
        yield return new(
            $"GET {documents}/trash",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/documents/trash",
            null,
            200
        );
        yield return new(
            $"POST {documents}",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/documents?name=Notes",
            (_, _) =>
                Task.FromResult<object?>(new StringContent("The gate opens at dawn.", Encoding.UTF8, "text/plain")),
            201
        );
        yield return new(
            $"GET {documents}/{{id}}",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/documents/{w.DocumentId}",
            null,
            200
        );
        yield return new(
            $"GET {documents}/{{id}}/file",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/documents/{w.DocumentId}/file",
            null,
            200
        );
        yield return new(
            $"PATCH {documents}/{{id}}",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/documents/{w.DocumentId}",
            named,
            200
        );
        yield return new(
            $"POST {documents}/{{id}}/reindex",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/documents/{w.DocumentId}/reindex",
            null,
            202
        );
        yield return new(
            $"DELETE {documents}/{{id}}",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/documents/{w.DocumentId}",
            null,
            204
        );
        yield return new(
            $"POST {documents}/{{id}}/restore",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/documents/{w.DocumentId}/restore",
            null,
            409
        );
        yield return new(
            "GET /api/v1/worlds/{worldId}/knowledge/search",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/knowledge/search?q=gate",
            null,
            200
        );

        // Someone else's world named in the body is "no such world", exactly as for an id never created.
        yield return new(
            "POST /api/v1/adventures",
            Access.Owned,
            _ => "/api/v1/adventures",
            body((w, _) => new { worldId = w.WorldId }),
            201,
            Stranger: 400
        );
        yield return new("GET /api/v1/adventures", Access.Self, _ => "/api/v1/adventures", null, 200);
        // A TavernAI chat (an array of "Name: text") as the raw body, the world in the query.
        yield return new(
            "POST /api/v1/adventures/import",
            Access.Owned,
            w => $"/api/v1/adventures/import?worldId={w.WorldId}",
            body((_, _) => new[] { "Aqua: The guild hall is loud tonight.", "You: I sit down." }),
            201,
            Stranger: 400
        );
        yield return new(
            "GET /api/v1/adventures/{id}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}",
            null,
            200
        );
        yield return new(
            "PATCH /api/v1/adventures/{id}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}",
            body((_, _) => new { memory = "The matrix remembers." }),
            200
        );
        // A SillyTavern text-completion preset as the raw body.
        yield return new(
            "POST /api/v1/presets/import",
            Access.Self,
            _ => "/api/v1/presets/import?name=Matrix",
            body((_, _) => new { temp = 0.7, rep_pen = 1.1 }),
            201
        );
        yield return new(
            "DELETE /api/v1/adventures/{id}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}",
            null,
            204
        );
        yield return new(
            "POST /api/v1/adventures/{id}/undo",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/undo",
            null,
            200
        );
        yield return new(
            "POST /api/v1/adventures/{id}/fork",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/fork",
            body((w, _) => new { atTurnId = w.TurnId }),
            201
        );
        // The matrix's adventure has a turn, so its opening can no longer be swiped: 409 opening_locked.
        yield return new(
            "POST /api/v1/adventures/{id}/opening",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/opening",
            body((_, _) => new { greetingIndex = 0 }),
            409
        );
        yield return new(
            "POST /api/v1/adventures/{id}/stop",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/stop",
            null,
            409
        );
        // 200 re-attaches to the narration that just finished (its outcome), 204 once it is forgotten.
        yield return new(
            "GET /api/v1/adventures/{id}/stream",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/stream",
            null,
            204,
            AlsoSuccess: 200
        );
        yield return new(
            "GET /api/v1/adventures/{id}/events",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/events",
            null,
            200
        );

        const string turns = "/api/v1/adventures/{id}/turns";
        yield return new(
            $"POST {turns}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/turns",
            body((_, _) => new { kind = "do", text = "I knock twice" }),
            200
        );
        yield return new($"GET {turns}", Access.Owned, w => $"/api/v1/adventures/{w.AdventureId}/turns", null, 200);
        yield return new(
            $"GET {turns}/{{turnId}}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/turns/{w.TurnId}",
            null,
            200
        );
        yield return new(
            $"PATCH {turns}/{{turnId}}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/turns/{w.TurnId}",
            body((_, _) => new { playerText = "I knock three times" }),
            200
        );
        yield return new(
            $"POST {turns}/{{turnId}}/retry",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/turns/{w.TurnId}/retry",
            null,
            200
        );
        yield return new(
            $"POST {turns}/{{turnId}}/choose",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/turns/{w.TurnId}/choose",
            body((_, _) => new { alternative = 0 }),
            200
        );
        yield return new(
            $"GET {turns}/{{turnId}}/context",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/turns/{w.TurnId}/context",
            null,
            200
        );

        yield return new(
            "GET /api/v1/adventures/{id}/state",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/state",
            null,
            200
        );
        yield return new(
            "PATCH /api/v1/adventures/{id}/state",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/state",
            body((_, _) => new { timeOfDay = "dawn" }),
            200
        );
        var goals = "/api/v1/adventures/{id}/goals";
        yield return new($"GET {goals}", Access.Owned, w => $"/api/v1/adventures/{w.AdventureId}/goals", null, 200);
        yield return new(
            $"POST {goals}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/goals",
            body((_, _) => new { title = "Open the gate" }),
            201
        );
        yield return new(
            $"POST {goals}/propose",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/goals/propose",
            null,
            202
        );
        yield return new(
            $"PATCH {goals}/{{goalId}}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/goals/{w.GoalId}",
            body((_, _) => new { description = "Before the night falls." }),
            200
        );
        yield return new(
            $"PATCH {goals}/{{goalId}}/tasks/{{taskId}}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/goals/{w.GoalId}/tasks/{w.GoalTaskId}",
            body((_, _) => new { status = "started" }),
            200
        );
        // Tabletop play (issue 23): the rules are public reference data; the table belongs to the adventure's owner.
        yield return new("GET /api/v1/rules", Access.Public, _ => "/api/v1/rules", null, 200);
        yield return new("GET /api/v1/rules/{system}", Access.Public, _ => "/api/v1/rules/srd-5.1", null, 200);
        yield return new(
            "GET /api/v1/rules/{system}/{section}",
            Access.Public,
            _ => "/api/v1/rules/srd-5.1/skills",
            null,
            200
        );
        yield return new(
            "GET /api/v1/rules/{system}/{section}/{itemId}",
            Access.Public,
            _ => "/api/v1/rules/srd-5.1/classes/rogue",
            null,
            200
        );
        yield return new(
            "GET /api/v1/adventures/{id}/tabletop",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/tabletop",
            null,
            200
        );
        yield return new(
            "PUT /api/v1/adventures/{id}/tabletop/rules",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/tabletop/rules",
            body((_, _) => new { system = "srd-5.1" }),
            200
        );
        yield return new(
            "GET /api/v1/adventures/{id}/rolls",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/rolls",
            null,
            200
        );
        yield return new(
            "POST /api/v1/adventures/{id}/rolls",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/rolls",
            body((_, _) => new { expression = "1d20+1", reason = "matrix" }),
            201
        );
        yield return new(
            "GET /api/v1/adventures/{id}/sheets",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/sheets",
            null,
            200
        );
        yield return new(
            "PUT /api/v1/adventures/{id}/sheets/{name}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/sheets/Ada",
            body((_, _) => new { abilities = new { dex = 16 }, level = 2 }),
            200
        );
        // Nothing to remove for a fresh owner (404), a sheet saved by the row above when it ran first.
        yield return new(
            "DELETE /api/v1/adventures/{id}/sheets/{name}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/sheets/Ada",
            null,
            404,
            AlsoSuccess: 204
        );
        yield return new(
            "POST /api/v1/adventures/{id}/combat",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/combat",
            body((_, _) => new { combatants = new[] { new { name = "Goblin", hp = 7 } } }),
            200
        );
        yield return new(
            "POST /api/v1/adventures/{id}/combat/{action}",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/combat/end",
            null,
            409,
            AlsoSuccess: 200
        );
        // Bedtime stories and narration audio (issue 25). The world's story may still be voicing: its audio answers
        // 409 audio_not_ready to its owner until then.
        const string bedtime = "/api/v1/bedtime-stories";
        yield return new(
            $"POST {bedtime}",
            Access.Self,
            _ => bedtime,
            body(
                (_, _) =>
                    new
                    {
                        ageBand = "5-7",
                        theme = "a quiet meadow",
                        minutes = 1,
                    }
            ),
            202
        );
        yield return new($"GET {bedtime}", Access.Self, _ => bedtime, null, 200);
        yield return new($"GET {bedtime}/trash", Access.Self, _ => $"{bedtime}/trash", null, 200);
        yield return new($"GET {bedtime}/{{id}}", Access.Owned, w => $"{bedtime}/{w.BedtimeId}", null, 200);
        yield return new(
            $"PATCH {bedtime}/{{id}}",
            Access.Owned,
            w => $"{bedtime}/{w.BedtimeId}",
            body((_, _) => new { favourite = true }),
            200
        );
        yield return new($"DELETE {bedtime}/{{id}}", Access.Owned, w => $"{bedtime}/{w.BedtimeId}", null, 204);
        // Reaching a live story's restore proves ownership: 409 not_deleted to its owner only.
        yield return new(
            $"POST {bedtime}/{{id}}/restore",
            Access.Owned,
            w => $"{bedtime}/{w.BedtimeId}/restore",
            null,
            409
        );
        yield return new(
            $"POST {bedtime}/{{id}}/another",
            Access.Owned,
            w => $"{bedtime}/{w.BedtimeId}/another",
            null,
            202
        );
        yield return new(
            $"GET {bedtime}/{{id}}/events",
            Access.Owned,
            w => $"{bedtime}/{w.BedtimeId}/events",
            null,
            200
        );
        yield return new(
            $"GET {bedtime}/{{id}}/audio",
            Access.Owned,
            w => $"{bedtime}/{w.BedtimeId}/audio",
            null,
            200,
            409
        );
        yield return new(
            $"GET {bedtime}/{{id}}/chapters/{{number}}/audio",
            Access.Owned,
            w => $"{bedtime}/{w.BedtimeId}/chapters/1/audio",
            null,
            200,
            409
        );
        yield return new($"GET {bedtime}/{{id}}/epub", Access.Owned, w => $"{bedtime}/{w.BedtimeId}/epub", null, 200);
        yield return new(
            "POST /api/v1/adventures/{id}/turns/{turnId}/audio",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/turns/{w.TurnId}/audio",
            null,
            202,
            200
        );
        yield return new(
            "GET /api/v1/adventures/{id}/turns/{turnId}/audio",
            Access.Owned,
            w => $"/api/v1/adventures/{w.AdventureId}/turns/{w.TurnId}/audio",
            null,
            409,
            200
        );
        yield return new("GET /api/v1/jobs", Access.Self, _ => "/api/v1/jobs", null, 200);
        yield return new("GET /api/v1/jobs/{id}", Access.OwnedOrAdmin, w => $"/api/v1/jobs/{w.JobId}", null, 200);
    }

    private string CodeFor(string secret, int stepsFromNow) =>
        Totp.Code(Base32.Decode(secret)!, Totp.StepAt(server.Clock.GetUtcNow()) + stepsFromNow);

    /// <summary>Starts an enrolment for the caller and returns its secret.</summary>
    private async Task<string> BeginTwoFactorAsync(Caller caller)
    {
        using var client = server.ClientWith(caller.AccessToken);
        return (await (await client.PostAsJsonAsync("/api/v1/me/2fa", new { })).JsonAsync()).Str("secret");
    }

    /// <summary>Turns two-factor sign-in on for the caller (with this step's code) and returns the secret.</summary>
    private async Task<string> EnableTwoFactorAsync(Caller caller)
    {
        var secret = await BeginTwoFactorAsync(caller);
        using var client = server.ClientWith(caller.AccessToken);
        (
            await client.PostAsJsonAsync("/api/v1/me/2fa/confirm", new { code = CodeFor(secret, 0) })
        ).EnsureSuccessStatusCode();
        return secret;
    }

    // Issue 24: everything a scenario has beyond the shared CRUD, its share links and playing it.
    private static IEnumerable<Route> ScenarioRoutes()
    {
        const string T = "/api/v1/worlds/{worldId}/scenarios";
        static string One(World w) => $"/api/v1/worlds/{w.WorldId}/scenarios/{w.ScenarioId}";
        static Func<World, Caller, Task<object?>> Body(Func<World, object> make) =>
            (w, _) => Task.FromResult<object?>(make(w));
        yield return new(
            $"POST {T}/import",
            Access.Owned,
            w => $"/api/v1/worlds/{w.WorldId}/scenarios/import",
            Body(_ => new
            {
                format = "storyengine-scenario",
                version = 1,
                scenario = new { name = "Imported" },
            }),
            201
        );
        yield return new($"POST {T}/{{id}}/validate", Access.Owned, w => One(w) + "/validate", null, 200);
        yield return new($"POST {T}/{{id}}/publish", Access.Owned, w => One(w) + "/publish", null, 200);
        yield return new($"GET {T}/{{id}}/versions", Access.Owned, w => One(w) + "/versions", null, 200);
        yield return new($"GET {T}/{{id}}/versions/{{number}}", Access.Owned, w => One(w) + "/versions/1", null, 200);
        yield return new(
            $"POST {T}/{{id}}/versions/{{number}}/restore",
            Access.Owned,
            w => One(w) + "/versions/1/restore",
            null,
            200
        );
        yield return new($"GET {T}/{{id}}/diff", Access.Owned, w => One(w) + "/diff?from=1&to=1", null, 200);
        yield return new($"GET {T}/{{id}}/export", Access.Owned, w => One(w) + "/export?format=twee", null, 200);
        yield return new($"POST {T}/{{id}}/clone", Access.Owned, w => One(w) + "/clone", Body(_ => new { }), 201);
        yield return new($"POST {T}/{{id}}/share", Access.Owned, w => One(w) + "/share", Body(_ => new { }), 201);
        yield return new($"GET {T}/{{id}}/shares", Access.Owned, w => One(w) + "/shares", null, 200);
        yield return new(
            $"DELETE {T}/{{id}}/shares/{{shareId}}",
            Access.Owned,
            w => One(w) + "/shares/" + w.ShareId,
            null,
            204
        );
        yield return new($"GET {T}/{{id}}/stats", Access.Owned, w => One(w) + "/stats", null, 200);
        yield return new("GET /api/v1/scenarios/templates", Access.Self, _ => "/api/v1/scenarios/templates", null, 200);
        yield return new(
            "GET /api/v1/scenarios/shared/{token}",
            Access.Public,
            w => "/api/v1/scenarios/shared/" + w.ShareToken,
            null,
            200
        );
        yield return new(
            "POST /api/v1/scenarios/shared/{token}/clone",
            Access.Owned,
            w => $"/api/v1/scenarios/shared/{w.ShareToken}/clone",
            Body(w => new { worldId = w.WorldId }),
            201
        );
        yield return new(
            "GET /api/v1/adventures/{id}/scenario",
            Access.Owned,
            w => $"/api/v1/adventures/{w.ScenarioAdventureId}/scenario",
            null,
            200
        );
        yield return new(
            "POST /api/v1/adventures/{id}/scenario/choices",
            Access.Owned,
            w => $"/api/v1/adventures/{w.ScenarioAdventureId}/scenario/choices",
            Body(_ => new { edgeId = "leave" }),
            200
        );
        yield return new(
            "POST /api/v1/adventures/{id}/scenario/actions",
            Access.Owned,
            w => $"/api/v1/adventures/{w.ScenarioAdventureId}/scenario/actions",
            Body(_ => new { kind = "do", text = "I wait by the gate" }),
            200
        );
    }

    private static string Truncate(string body) => body.Length > 300 ? body[..300] + "…" : body;

    /// <summary>A caller: their access token (none when anonymous) and credentials for routes that ask for
    /// them.</summary>
    public sealed record Caller(string Name, string? AccessToken, string Username, string Password);

    /// <summary>One owner's data: a world with a location and a character, a persona, an adventure with a narrated
    /// turn.</summary>
    public sealed record World(
        TestAccount Owner,
        string WorldId,
        string LocationId,
        string CharacterId,
        string PersonaId,
        string AdventureId,
        string TurnId,
        string SpareSessionId,
        string VictimId,
        string LorebookId,
        string ApiKeyId,
        string JobId,
        string PresetId,
        string DocumentId,
        string GoalId,
        string GoalTaskId,
        string ScenarioId,
        string ScenarioAdventureId,
        string ShareId,
        string ShareToken,
        string BedtimeId
    )
    {
        public static async Task<World> CreateAsync(ServerFixture server)
        {
            var owner = await server.CreateAccountAsync();
            var client = owner.Client;
            var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Matrix world" })).Id();
            var location = (
                await client.PostJsonAsync($"/api/v1/worlds/{world}/locations", new { name = "Gate" })
            ).Id();
            var character = (
                await client.PostJsonAsync($"/api/v1/worlds/{world}/characters", new { name = "Warden" })
            ).Id();
            var persona = (await client.PostJsonAsync("/api/v1/personas", new { name = "Visitor" })).Id();
            foreach (
                var picture in new[]
                {
                    $"/api/v1/worlds/{world}/characters/{character}/avatar",
                    $"/api/v1/personas/{persona}/avatar",
                    $"/api/v1/worlds/{world}/cover",
                }
            )
            {
                (
                    await client.PutAsync(picture, TestPictures.Content(TestPictures.Make(8, 8), "image/png"))
                ).EnsureSuccessStatusCode();
            }
            var preset = (await client.PostJsonAsync("/api/v1/presets", new { name = "Matrix preset" })).Id();
            var entries = new[]
            {
                new
                {
                    id = 1,
                    keys = new[] { "gate" },
                    content = "The gate is old.",
                },
            };
            var lorebook = (
                await client.PostJsonAsync($"/api/v1/worlds/{world}/lorebooks", new { name = "Matrix lore", entries })
            ).Id();
            (
                await client.PutAsJsonAsync(
                    $"/api/v1/worlds/{world}/characters/{character}/lorebook",
                    new { name = "Warden's lore", entries }
                )
            ).EnsureSuccessStatusCode();
            var adventure = (await client.PostJsonAsync("/api/v1/adventures", new { worldId = world })).Id();
            var turn = (await AdventureTestData.TakeTurnAsync(client, adventure, "I look around")).Id();
            using var spare = await server.SignInAsync(owner.Username);
            using var victim = await server.CreateAccountAsync();
            var apiKey = (
                await client.PostJsonAsync(
                    "/api/v1/me/api-keys",
                    new { name = "matrix key", scopes = new[] { "read" } }
                )
            ).Id();
            var document = (
                await (
                    await client.PostAsync(
                        $"/api/v1/worlds/{world}/documents?name=Gatehouse",
                        new StringContent("The gate is old and its hinges sing.", Encoding.UTF8, "text/plain")
                    )
                ).JsonAsync(HttpStatusCode.Created)
            ).Id();
            var goal = await client.PostJsonAsync(
                $"/api/v1/adventures/{adventure}/goals",
                new { title = "Pass the gate", tasks = new[] { "Bribe the warden" } }
            );
            // A one-chapter bedtime story whose chapter the scripted model writes (issue 25).
            var theme = "a matrix meadow " + Guid.NewGuid().ToString("N")[..8];
            (await ScriptedBackend.InstanceAsync()).ScriptStructured(
                "Theme: " + theme,
                """{"storyTitle":"Meadow","title":"Meadow","text":"The meadow was quiet. Everyone slept."}"""
            );
            var bedtime = (
                await client.PostJsonAsync(
                    "/api/v1/bedtime-stories",
                    new
                    {
                        ageBand = "5-7",
                        theme,
                        minutes = 1,
                    },
                    HttpStatusCode.Accepted
                )
            ).GetProperty("story").Id();
            // The narrated turn queued a world state job for the adventure.
            var job = (await (await client.GetAsync($"/api/v1/jobs?adventureId={adventure}")).JsonAsync())
                .GetProperty("items")[0]
                .Id();
            var scenario = (
                await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios", ScenarioTestData.TwoScenes("Matrix"))
            ).Id();
            var scenarioAdventure = (
                await client.PostJsonAsync("/api/v1/adventures", new { worldId = world, scenarioId = scenario })
            ).Id();
            var share = await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios/{scenario}/share", new { });
            return new World(
                owner,
                world,
                location,
                character,
                persona,
                adventure,
                turn,
                spare.SessionId,
                victim.Id,
                lorebook,
                apiKey,
                job,
                preset,
                document,
                goal.Id(),
                goal.GetProperty("tasks")[0].Id(),
                scenario,
                scenarioAdventure,
                share.Id(),
                share.Str("token"),
                bedtime
            );
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class AuthorizationMatrixTests_Sqlite(SqliteServerFixture server) : AuthorizationMatrixTests(server);

[Collection(PostgresCollection.Name)]
public sealed class AuthorizationMatrixTests_Postgres(PostgresServerFixture server) : AuthorizationMatrixTests(server);
