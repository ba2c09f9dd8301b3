using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Telemetry;

/// <summary>/metrics after a scripted turn: our meters, with the tags the dashboard and the alerts group by.</summary>
[Collection(SqliteCollection.Name)]
public sealed partial class MetricsEndpointTests(SqliteServerFixture server)
{
    private static readonly string ObservabilityDir = Path.Combine(FindRepositoryRoot(), "deploy", "observability");

    [Fact]
    public async Task metrics_show_a_scripted_turn_by_outcome_backend_model_and_purpose()
    {
        var before = await ScrapeAsync(server);
        await TakeScriptedTurnWithReattachAsync(server);
        var after = await Poll.UntilAsync(
            () => ScrapeAsync(server),
            s =>
                s.Sum("storyengine_turns_total", ("outcome", "completed"))
                > before.Sum("storyengine_turns_total", ("outcome", "completed")),
            _ => "the completed turn never showed on /metrics"
        );

        Assert.True(
            after.Sum("storyengine_turns_total", ("outcome", "started"))
                > before.Sum("storyengine_turns_total", ("outcome", "started"))
        );
        var scripted = ("storyengine_backend", "scripted");
        var model = ("gen_ai_request_model", "scripted-1");
        Assert.True(
            after.Sum("gen_ai_server_time_to_first_token_seconds_count", scripted, model)
                > before.Sum("gen_ai_server_time_to_first_token_seconds_count", scripted, model)
        );
        Assert.True(
            after.Sum("gen_ai_client_operation_duration_seconds_count", scripted, model)
                > before.Sum("gen_ai_client_operation_duration_seconds_count", scripted, model)
        );
        var narration = ("storyengine_purpose", "narration");
        // {{tokens:6}}: the scripted backend reports six output tokens for this call.
        Assert.True(
            after.Sum("gen_ai_client_token_usage_sum", narration, scripted, ("gen_ai_token_type", "output"))
                - before.Sum("gen_ai_client_token_usage_sum", narration, scripted, ("gen_ai_token_type", "output"))
                >= 6
        );
        Assert.True(
            after.Sum("gen_ai_client_token_usage_sum", narration, ("gen_ai_token_type", "input"))
                > before.Sum("gen_ai_client_token_usage_sum", narration, ("gen_ai_token_type", "input"))
        );
        Assert.True(
            after.Sum("storyengine_streams_reattaches_total") > before.Sum("storyengine_streams_reattaches_total")
        );
        Assert.True(
            after.Sum("storyengine_lore_activation_duration_seconds_count")
                > before.Sum("storyengine_lore_activation_duration_seconds_count")
        );
        Assert.True(
            after.Sum("storyengine_memory_recall_duration_seconds_count")
                > before.Sum("storyengine_memory_recall_duration_seconds_count")
        );
        // Its value is not asserted: every test server in this process shares the backend's name, and a provider sees
        // the gauges of all of them (production runs one host per process).
        Assert.Contains(after, s =>
            s.Name == "storyengine_backend_state"
            && s.Labels["storyengine_backend"] == "scripted"
            && s.Labels["state"] == "up"
        );
        Assert.Contains(after, s =>
            s.Name == "storyengine_jobs_queue_depth"
            && s.Labels["job_type"] == "memory.index"
            && s.Labels["job_state"] == "queued"
        );
        Assert.Contains(after, s => s.Name == "storyengine_jobs_queue_oldest_age_seconds");
        Assert.Contains(after, s => s.Name == "storyengine_streams_active");
    }

    [Fact]
    public async Task every_metric_the_dashboard_and_the_alerts_use_exists_after_a_scripted_turn()
    {
        await TakeScriptedTurnWithReattachAsync(server);
        var names = (await ScrapeAsync(server)).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var used = UsedMetricNames();
        Assert.Contains("storyengine_turns_total", used);
        // The backup metrics come from the backups feature (meter StoryEngine.Backups); until its meter reports, only
        // they may be missing, and once any backup metric is exported every name used must be among them.
        var backupsReport = names.Any(n => n.StartsWith("storyengine_backup_", StringComparison.Ordinal));
        // ASP.NET Core's http_server_* come from meters of each host's IMeterFactory; with many test hosts in one
        // process a provider may lose them when another host is disposed, so they are checked when this scrape has any.
        var httpReported = names.Any(n => n.StartsWith("http_server_", StringComparison.Ordinal));
        var missing = used.Where(n => !names.Contains(n))
            .Where(n => backupsReport || !n.StartsWith("storyengine_backup_", StringComparison.Ordinal))
            .Where(n => httpReported || !n.StartsWith("http_server_", StringComparison.Ordinal))
            .ToList();
        Assert.True(
            missing.Count == 0,
            "Used by deploy/observability but not on /metrics: " + string.Join(", ", missing)
        );
        Assert.Contains(used, n => n.StartsWith("storyengine_backup_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task metrics_need_no_sign_in_and_are_never_rate_limited()
    {
        await WithServerAsync(
            new()
            {
                ["RateLimits:ApiPerMinute"] = "1",
                ["RateLimits:AuthPerMinute"] = "1",
                ["RateLimits:GenerationPerMinute"] = "1",
            },
            async s =>
            {
                using var client = s.CreateClient();
                for (var i = 0; i < 5; i++)
                {
                    var response = await client.GetAsync("/metrics");
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    var type = response.Content.Headers.ContentType!.MediaType;
                    Assert.StartsWith("text/plain", type, StringComparison.Ordinal);
                }
                // The API's own limits still hold, and their refusals are counted.
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
                Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/v1/me")).StatusCode);
                // The exporter caches a scrape for a moment; the refusal shows on the next fresh one.
                await Poll.UntilAsync(
                    async () =>
                        PrometheusText
                            .Parse(await client.GetStringAsync("/metrics"))
                            .Sum("storyengine_rate_limit_rejections_total", ("policy", "api")) >= 1,
                    "the 429 was not counted"
                );
            }
        );
    }

    [Fact]
    public async Task metrics_need_the_bearer_token_when_one_is_set()
    {
        const string Token = "scrape-token-0123456789";
        await WithServerAsync(new() { ["Telemetry:Metrics:Token"] = Token }, async s =>
        {
            using var client = s.CreateClient();
            var anonymous = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);
            using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            var scraped = await client.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
            var text = await scraped.Content.ReadAsStringAsync();
            Assert.Contains("storyengine_turns_total", text, StringComparison.Ordinal);
            // A user's sign-in is no substitute for the scrape token.
            using var user = await s.CreateUserClientAsync();
            Assert.Equal(HttpStatusCode.Unauthorized, (await user.GetAsync("/metrics")).StatusCode);
        });
    }

    [Fact]
    public async Task loopback_only_metrics_refuse_a_client_behind_the_proxy()
    {
        await WithServerAsync(
            new() { ["Telemetry:Metrics:LoopbackOnly"] = "true", ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" },
            async s =>
            {
                using var client = s.CreateClient();
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
                using var remote = new HttpRequestMessage(HttpMethod.Get, "/metrics");
                remote.Headers.Add("X-Forwarded-For", "203.0.113.9");
                Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(remote)).StatusCode);
            }
        );
    }

    [Fact]
    public async Task metrics_can_move_to_another_path_or_be_switched_off()
    {
        await WithServerAsync(new() { ["Telemetry:Metrics:Path"] = "/ops/metrics" }, async s =>
        {
            using var client = s.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ops/metrics")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);
        });
        await WithServerAsync(new() { ["Telemetry:Metrics:Enabled"] = "false" }, async s =>
        {
            using var client = s.CreateClient();
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);
        });
    }

    /// <summary>A streamed turn, and a second client re-attaching to it while it narrates.</summary>
    internal static async Task<string> TakeScriptedTurnWithReattachAsync(ServerFixture server)
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var turn = client.SendAsync(
            AdventureTestData.Turn(setup.AdventureId, "light the lamp {{tokens:6}} {{delay:150}}")
        );
        await Poll.UntilAsync(
            async () =>
                (await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/stream")).StatusCode
                == HttpStatusCode.OK,
            "never re-attached to the narration in flight"
        );
        var stored = await (await turn).JsonAsync();
        Assert.Equal("completed", stored.Str("status"));
        return setup.AdventureId;
    }

    internal static async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(ServerFixture server)
    {
        using var client = server.CreateClient();
        return PrometheusText.Parse(await client.GetStringAsync("/metrics"));
    }

    internal static async Task WithServerAsync(Dictionary<string, string?> settings, Func<ServerFixture, Task> test)
    {
        var fixture = new SqliteServerFixture();
        foreach (var (key, value) in settings)
        {
            fixture.ExtraSettings[key] = value;
        }
        await fixture.InitializeAsync();
        try
        {
            await test(fixture);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    // Every series name in the dashboard's and the rules' PromQL (label names and functions are not series).
    private static HashSet<string> UsedMetricNames()
    {
        var expressions = new List<string>();
        var dashboardPath = Path.Combine(ObservabilityDir, "grafana-dashboard.json");
        using (var dashboard = JsonDocument.Parse(File.ReadAllText(dashboardPath)))
        {
            foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            {
                expressions.AddRange(
                    panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!)
                );
            }
        }
        var rules = File.ReadAllText(Path.Combine(ObservabilityDir, "alerts.yaml"));
        expressions.AddRange(AlertExpr().Matches(rules).Select(m => m.Groups["expr"].Value));
        Assert.True(expressions.Count >= 10, "the dashboard and rules should have been read");
        return expressions
            .Select(e => LabelSets().Replace(e, " "))
            .SelectMany(e => SeriesName().Matches(e).Select(m => m.Value))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StoryEngine.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName
            ?? throw new InvalidOperationException("StoryEngine.slnx not found above the test binaries.");
    }

    // `expr: one line` or `expr: |` followed by more-indented lines.
    [GeneratedRegex(@"expr:\s*(\|\s*\n)?(?<expr>(.+\n?)(\s{10,}.+\n?)*)")]
    private static partial Regex AlertExpr();

    // Label names live in selectors ({…}) and in by/without (…) clauses; they are cut out before names are read.
    [GeneratedRegex(@"\{[^}]*\}|\b(by|without|on|ignoring)\s*\([^)]*\)")]
    private static partial Regex LabelSets();

    // Our metric families; what is left of an expression after LabelSets are series names, functions and numbers.
    [GeneratedRegex(@"\b(storyengine|gen_ai|http_server|kestrel|db_client)_[a-z0-9_]+\b")]
    private static partial Regex SeriesName();
}
