using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Scenarios;

/// <summary>Issue 24 through the API, on both engines: CRUD with ETags and trash, versions and diffs, validation and
/// publishing, import and export, share links, play by button and by free text, statistics.</summary>
public abstract class ScenariosApiTests(ServerFixture server)
{
    private static async Task<(HttpClient Client, string World)> WorldAsync(ServerFixture server)
    {
        var client = await server.CreateUserClientAsync();
        var world = (
            await client.PostJsonAsync("/api/v1/worlds", new { name = "Fogmoor", description = "Moors." })
        ).Id();
        return (client, world);
    }

    [Fact]
    public async Task scenarios_are_world_data_with_etags_trash_and_restore()
    {
        var (client, world) = await WorldAsync(server);
        using var owned = client;
        var created = await client.PostAsJsonAsync(
            $"/api/v1/worlds/{world}/scenarios",
            ScenarioTestData.TwoScenes("Gate")
        );
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var etag = created.Headers.ETag!;
        var body = await created.JsonAsync(HttpStatusCode.Created);
        var id = body.Id();
        Assert.Equal(2, body.GetProperty("nodes").GetArrayLength());
        Assert.Equal("leave", body.GetProperty("edges")[0].Str("id"));

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/worlds/{world}/scenarios/{id}")
        {
            Content = JsonContent.Create(ScenarioTestData.TwoScenes("Gate, again")),
        };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"99\""));
        await (await client.SendAsync(stale)).AssertProblemAsync(
            HttpStatusCode.PreconditionFailed,
            "precondition_failed"
        );
        using var fresh = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/worlds/{world}/scenarios/{id}")
        {
            Content = JsonContent.Create(ScenarioTestData.TwoScenes("Gate, again")),
        };
        fresh.Headers.IfMatch.Add(etag);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(fresh)).StatusCode);

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await client.DeleteAsync($"/api/v1/worlds/{world}/scenarios/{id}")).StatusCode
        );
        await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        var trash = await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/trash")).JsonAsync();
        Assert.Equal(id, Assert.Single(trash.GetProperty("items").EnumerateArray()).Id());
        var restored = await (
            await client.PostAsync($"/api/v1/worlds/{world}/scenarios/{id}/restore", null)
        ).JsonAsync();
        Assert.Equal("Gate, again", restored.Str("name"));
        // Deleting and restoring kept the content: still two versions, not four.
        var versions = await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/versions")).JsonAsync();
        Assert.Equal(
            [2, 1],
            versions.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("number").GetInt32())
        );

        var bad = await (
            await client.PostAsJsonAsync(
                $"/api/v1/worlds/{world}/scenarios",
                new
                {
                    name = "x",
                    edges = new[]
                    {
                        new
                        {
                            id = "e",
                            from = "a",
                            to = "b",
                            condition = "gold >=",
                        },
                    },
                }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(bad.GetProperty("errors").TryGetProperty("edges[0].condition", out _));
    }

    [Fact]
    public async Task every_save_is_a_version_with_diffs_and_an_old_one_can_be_restored_as_newest()
    {
        var (client, world) = await WorldAsync(server);
        using var owned = client;
        var id = (
            await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios", ScenarioTestData.TwoScenes("V"))
        ).Id();
        (
            await client.PutAsJsonAsync($"/api/v1/worlds/{world}/scenarios/{id}", ScenarioTestData.Hall("V"))
        ).EnsureSuccessStatusCode();

        var diff = await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/diff?from=1&to=2")).JsonAsync();
        Assert.Equal(["hall", "cellar", "garden"], Strings(diff, "nodesAdded"));
        Assert.Equal(["gate", "road"], Strings(diff, "nodesRemoved"));
        Assert.Equal(["leave"], Strings(diff, "edgesRemoved"));
        Assert.Contains("startNodeId", Strings(diff, "fieldsChanged"));
        await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/diff?from=1")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/versions/9")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );

        var one = await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/versions/1")).JsonAsync();
        Assert.Equal("gate", one.GetProperty("scenario").Str("startNodeId"));
        var restored = await (
            await client.PostAsync($"/api/v1/worlds/{world}/scenarios/{id}/versions/1/restore", null)
        ).JsonAsync();
        Assert.Equal("gate", restored.Str("startNodeId"));
        var page = await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/versions?limit=2")).JsonAsync();
        Assert.Equal(
            [3, 2],
            page.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("number").GetInt32())
        );
        var rest = await (
            await client.GetAsync(
                $"/api/v1/worlds/{world}/scenarios/{id}/versions?limit=2&cursor={page.Str("nextCursor")}"
            )
        ).JsonAsync();
        Assert.Equal([1], rest.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("number").GetInt32()));
        var same = await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/diff?from=1&to=3")).JsonAsync();
        Assert.Empty(Strings(same, "nodesChanged"));
        Assert.Empty(Strings(same, "nodesAdded"));
    }

    [Fact]
    public async Task validation_reports_findings_and_publishing_refuses_errors_until_fixed()
    {
        var (client, world) = await WorldAsync(server);
        using var owned = client;
        var broken = new
        {
            name = "Broken",
            startNodeId = "a",
            nodes = new object[] { new { id = "a", title = "A" }, new { id = "b", title = "B" } },
            edges = new object[]
            {
                new
                {
                    id = "ab",
                    from = "a",
                    to = "b",
                },
                new
                {
                    id = "ba",
                    from = "b",
                    to = "a",
                },
                new
                {
                    id = "ax",
                    from = "a",
                    to = "x",
                },
            },
        };
        var id = (await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios", broken)).Id();
        var report = await (
            await client.PostAsync($"/api/v1/worlds/{world}/scenarios/{id}/validate", null)
        ).JsonAsync();
        var kinds = report.GetProperty("findings").EnumerateArray().Select(f => f.Str("kind")).ToArray();
        Assert.Contains("missing_target", kinds);
        Assert.Contains("no_ending", kinds);
        Assert.True(report.GetProperty("hasErrors").GetBoolean());
        var finding = report.GetProperty("findings").EnumerateArray().First(f => f.Str("kind") == "missing_target");
        Assert.Equal("error", finding.Str("severity"));
        Assert.Equal("ax", finding.GetProperty("edges")[0].GetString());

        await (await client.PostAsync($"/api/v1/worlds/{world}/scenarios/{id}/publish", null)).AssertProblemAsync(
            (HttpStatusCode)422,
            "scenario_has_errors"
        );
        await (
            await client.PostAsJsonAsync("/api/v1/adventures", new { worldId = world, scenarioId = id })
        ).AssertProblemAsync((HttpStatusCode)422, "scenario_has_errors");
        (
            await client.PutAsJsonAsync($"/api/v1/worlds/{world}/scenarios/{id}", ScenarioTestData.Hall("Fixed"))
        ).EnsureSuccessStatusCode();
        var published = await (
            await client.PostAsync($"/api/v1/worlds/{world}/scenarios/{id}/publish", null)
        ).JsonAsync();
        Assert.True(published.GetProperty("published").GetBoolean());

        // Marked as a template, it appears in the gallery; a clone of it is an unpublished draft.
        (
            await client.PatchAsync(
                $"/api/v1/worlds/{world}/scenarios/{id}",
                JsonContent.Create(new { template = true })
            )
        ).EnsureSuccessStatusCode();
        var gallery = await (await client.GetAsync("/api/v1/scenarios/templates")).JsonAsync();
        Assert.Equal(id, Assert.Single(gallery.EnumerateArray()).Id());
        var copy = await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios/{id}/clone", new { name = "Mine" });
        Assert.False(copy.GetProperty("template").GetBoolean());
        Assert.False(copy.GetProperty("published").GetBoolean());
        Assert.Equal("Mine", copy.Str("name"));
    }

    [Fact]
    public async Task twine_files_import_as_scenarios_and_every_export_format_parses_back()
    {
        var (client, world) = await WorldAsync(server);
        using var owned = client;
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(
            System.Text.Encoding.UTF8.GetBytes(TwineFormatTests.Fixture("snowman_arrays.html"))
        );
        form.Add(file, "file", "snowman_arrays.html");
        var imported = await (await client.PostAsync($"/api/v1/worlds/{world}/scenarios/import", form)).JsonAsync(
            HttpStatusCode.Created
        );
        var id = imported.Id();
        Assert.Equal("Arrays in Snowman", imported.Str("name"));
        Assert.Equal(6, imported.GetProperty("nodes").GetArrayLength());

        var twee = await (
            await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/export?format=twee")
        ).Content.ReadAsStringAsync();
        Assert.StartsWith(":: StoryTitle\nArrays in Snowman", twee, StringComparison.Ordinal);
        using var again = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(twee));
        var reimported = await (await client.PostAsync($"/api/v1/worlds/{world}/scenarios/import", again)).JsonAsync(
            HttpStatusCode.Created
        );
        Assert.Equal(
            imported.GetProperty("edges").EnumerateArray().Select(e => e.Str("to")),
            reimported.GetProperty("edges").EnumerateArray().Select(e => e.Str("to"))
        );
        foreach (
            var (format, type) in new[]
            {
                ("html", "text/html"),
                ("json", "application/json"),
                ("svg", "image/svg+xml"),
                ("png", "image/png"),
                ("pdf", "application/pdf"),
            }
        )
        {
            var response = await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/export?format={format}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            switch (format)
            {
                case "svg":
                    Assert.Equal(
                        6,
                        System
                            .Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(bytes))
                            .Descendants("{http://www.w3.org/2000/svg}g")
                            .Count()
                    );
                    break;
                case "png":
                    using (var png = SkiaSharp.SKBitmap.Decode(bytes))
                    {
                        Assert.True(png.Width > 0);
                    }
                    break;
                case "pdf":
                    using (var pdf = UglyToad.PdfPig.PdfDocument.Open(bytes))
                    {
                        Assert.True(pdf.NumberOfPages >= 1);
                    }
                    break;
                default:
                    using (var content = new ByteArrayContent(bytes))
                    {
                        (
                            await client.PostAsync($"/api/v1/worlds/{world}/scenarios/import", content)
                        ).EnsureSuccessStatusCode();
                    }
                    break;
            }
        }
        await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/export?format=docx")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        using var junk = new ByteArrayContent("just some words"u8.ToArray());
        await (await client.PostAsync($"/api/v1/worlds/{world}/scenarios/import", junk)).AssertProblemAsync(
            HttpStatusCode.UnsupportedMediaType,
            "unsupported_format"
        );
    }

    [Fact]
    public async Task share_links_open_without_an_account_with_password_expiry_and_revoke()
    {
        var (client, world) = await WorldAsync(server);
        using var owned = client;
        var id = (
            await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios", ScenarioTestData.TwoScenes("Shared"))
        ).Id();
        var locked = await client.PostJsonAsync(
            $"/api/v1/worlds/{world}/scenarios/{id}/share",
            new { password = "open sesame", expiresInHours = 2 }
        );
        Assert.Contains(locked.Str("token"), locked.Str("url"), StringComparison.Ordinal);
        using var anonymous = server.CreateClient();
        var path = $"/api/v1/scenarios/shared/{locked.Str("token")}";
        await (await anonymous.GetAsync(path)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "share_password_required"
        );
        using var wrong = new HttpRequestMessage(HttpMethod.Get, path);
        wrong.Headers.Add("X-Share-Password", "guess");
        await (await anonymous.SendAsync(wrong)).AssertProblemAsync(
            HttpStatusCode.Unauthorized,
            "share_password_required"
        );
        using var right = new HttpRequestMessage(HttpMethod.Get, path);
        right.Headers.Add("X-Share-Password", "open sesame");
        var seen = await (await anonymous.SendAsync(right)).JsonAsync();
        Assert.Equal("Shared", seen.Str("name"));

        // Someone else signs in and plays a copy in a world of their own.
        var (other, theirs) = await WorldAsync(server);
        using var theirClient = other;
        var copy = await other.PostJsonAsync(
            $"/api/v1/scenarios/shared/{locked.Str("token")}/clone",
            new { worldId = theirs, password = "open sesame" }
        );
        Assert.Equal(theirs, copy.Str("worldId"));
        (
            await other.PostAsJsonAsync("/api/v1/adventures", new { worldId = theirs, scenarioId = copy.Id() })
        ).EnsureSuccessStatusCode();

        var open = await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios/{id}/share", new { });
        Assert.Equal(
            HttpStatusCode.OK,
            (await anonymous.GetAsync($"/api/v1/scenarios/shared/{open.Str("token")}")).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NoContent,
            (await client.DeleteAsync($"/api/v1/worlds/{world}/scenarios/{id}/shares/{open.Id()}")).StatusCode
        );
        await (await anonymous.GetAsync($"/api/v1/scenarios/shared/{open.Str("token")}")).AssertProblemAsync(
            HttpStatusCode.Gone,
            "share_link_gone"
        );
        var shares = await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/shares")).JsonAsync();
        Assert.Equal(2, shares.GetArrayLength());
        Assert.DoesNotContain("token", shares.GetRawText(), StringComparison.Ordinal);
        await (await anonymous.GetAsync("/api/v1/scenarios/shared/not-a-token")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (
            await client.PostAsJsonAsync($"/api/v1/worlds/{world}/scenarios/{id}/share", new { expiresInHours = 0 })
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        // Last: past the expiry (the owner's own sign-in expires with it).
        server.Clock.Advance(TimeSpan.FromHours(3));
        using var late = new HttpRequestMessage(HttpMethod.Get, path);
        late.Headers.Add("X-Share-Password", "open sesame");
        await (await anonymous.SendAsync(late)).AssertProblemAsync(HttpStatusCode.Gone, "share_link_gone");
    }

    [Fact]
    public async Task a_scenario_plays_by_button_and_by_free_text_with_undo_fork_and_statistics_from_the_log()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var (client, world) = await WorldAsync(server);
        using var owned = client;
        var id = (await client.PostJsonAsync($"/api/v1/worlds/{world}/scenarios", ScenarioTestData.Hall("Hall"))).Id();
        var adventure = (
            await client.PostJsonAsync("/api/v1/adventures", new { worldId = world, scenarioId = id })
        ).Id();
        var position = await (await client.GetAsync($"/api/v1/adventures/{adventure}/scenario")).JsonAsync();
        Assert.Equal("hall", position.Str("nodeId"));
        Assert.Equal(1, position.GetProperty("version").GetInt32());
        // The door needs the key: only the cellar is open.
        Assert.Equal(["down"], position.GetProperty("choices").EnumerateArray().Select(c => c.Str("id")));
        await (
            await client.PostAsJsonAsync($"/api/v1/adventures/{adventure}/scenario/choices", new { edgeId = "door" })
        ).AssertProblemAsync(HttpStatusCode.Conflict, "choice_unavailable");

        // By button: the cellar's directions reach the narrator, and its effect sets the key.
        var marker = "cellar" + Guid.NewGuid().ToString("N")[..8];
        var down = await (
            await client.PostAsJsonAsync($"/api/v1/adventures/{adventure}/scenario/choices", new { edgeId = "down" })
        ).JsonAsync();
        Assert.Equal("Go down to the cellar", down.Str("playerText"));
        position = await (await client.GetAsync($"/api/v1/adventures/{adventure}/scenario")).JsonAsync();
        Assert.Equal("cellar", position.Str("nodeId"));
        Assert.Equal("true", position.GetProperty("flags").Str("key"));
        var byButton = await (
            await client.GetAsync($"/api/v1/adventures/{adventure}/turns/{down.Id()}/context")
        ).JsonAsync();
        var cellar = byButton.GetProperty("sections").EnumerateArray().Single(s => s.Str("name") == "scene");
        Assert.Contains("# Scene: The cellar", cellar.Str("text"), StringComparison.Ordinal);
        Assert.Contains("Climb back up", cellar.Str("text"), StringComparison.Ordinal);
        Assert.Contains("entered by choice 'down'", cellar.Str("note"), StringComparison.Ordinal);

        // Undo takes the move back with the turn.
        (await client.PostAsync($"/api/v1/adventures/{adventure}/undo", null)).EnsureSuccessStatusCode();
        position = await (await client.GetAsync($"/api/v1/adventures/{adventure}/scenario")).JsonAsync();
        Assert.Equal("hall", position.Str("nodeId"));
        Assert.False(position.GetProperty("flags").TryGetProperty("key", out _));

        // By free text: the utility model's JSON-schema answer picks the choice, and the inspector shows it.
        backend.ScriptStructured(marker, """{"choice":"down","reason":"the player heads for the stairs"}""");
        var act = await client.PostAsJsonAsync(
            $"/api/v1/adventures/{adventure}/scenario/actions",
            new { kind = "do", text = $"I take the stairs ({marker})" }
        );
        Assert.Equal("down", act.Headers.GetValues("X-Scenario-Choice").Single());
        var turn = await act.JsonAsync();
        var context = await (
            await client.GetAsync($"/api/v1/adventures/{adventure}/turns/{turn.Id()}/context")
        ).JsonAsync();
        var scene = context.GetProperty("sections").EnumerateArray().Single(s => s.Str("name") == "scene");
        Assert.Contains("# Scene: The cellar", scene.Str("text"), StringComparison.Ordinal);
        Assert.Contains("the player heads for the stairs", scene.Str("note"), StringComparison.Ordinal);
        // The turn's world-state job asks about the same text in the background; the choice is asked once.
        var asked = Assert.Single(
            backend.StructuredRequestsContaining(marker),
            r => r["response_format"]!["json_schema"]!["name"]!.GetValue<string>() == "scenario_choice"
        );

        // Free text that matches nothing stays in the scene.
        var stay = "stay" + Guid.NewGuid().ToString("N")[..8];
        backend.ScriptStructured(stay, """{"choice":null,"reason":"just looking"}""");
        var stayed = await client.PostAsJsonAsync(
            $"/api/v1/adventures/{adventure}/scenario/actions",
            new { kind = "do", text = $"I look at the barrels ({stay})" }
        );
        Assert.Equal("stay", stayed.Headers.GetValues("X-Scenario-Choice").Single());
        position = await (await client.GetAsync($"/api/v1/adventures/{adventure}/scenario")).JsonAsync();
        Assert.Equal("cellar", position.Str("nodeId"));

        // A fork at the turn that reached the cellar keeps the position; the original goes on to the ending.
        var fork = (
            await client.PostJsonAsync($"/api/v1/adventures/{adventure}/fork", new { atTurnId = turn.Id() })
        ).Id();
        Assert.Equal(
            "cellar",
            (await (await client.GetAsync($"/api/v1/adventures/{fork}/scenario")).JsonAsync()).Str("nodeId")
        );
        (
            await client.PostAsJsonAsync($"/api/v1/adventures/{adventure}/scenario/choices", new { edgeId = "up" })
        ).EnsureSuccessStatusCode();
        (
            await client.PostAsJsonAsync($"/api/v1/adventures/{adventure}/scenario/choices", new { edgeId = "door" })
        ).EnsureSuccessStatusCode();
        position = await (await client.GetAsync($"/api/v1/adventures/{adventure}/scenario")).JsonAsync();
        Assert.True(position.GetProperty("ended").GetBoolean());
        Assert.Empty(position.GetProperty("choices").EnumerateArray());

        // Statistics from the logs: two plays (the fork is one), one completion in the garden, one stopped in the
        // cellar.
        var stats = await (await client.GetAsync($"/api/v1/worlds/{world}/scenarios/{id}/stats")).JsonAsync();
        Assert.Equal(2, stats.GetProperty("plays").GetInt32());
        Assert.Equal(1, stats.GetProperty("completions").GetInt32());
        Assert.Equal(1, stats.GetProperty("endings").GetProperty("garden").GetInt32());
        Assert.Equal(1, stats.GetProperty("stoppedAt").GetProperty("cellar").GetInt32());

        // An adventure without a scenario has no position.
        var plain = (await client.PostJsonAsync("/api/v1/adventures", new { worldId = world })).Id();
        await (await client.GetAsync($"/api/v1/adventures/{plain}/scenario")).AssertProblemAsync(
            HttpStatusCode.Conflict,
            "not_a_scenario"
        );
    }

    private static string[] Strings(JsonElement json, string property) =>
        [.. json.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
}

[Collection(SqliteCollection.Name)]
public sealed class ScenariosApiTests_Sqlite(SqliteServerFixture server) : ScenariosApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class ScenariosApiTests_Postgres(PostgresServerFixture server) : ScenariosApiTests(server);
