using System.Net;
using System.Net.Http.Json;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cluster;

/// <summary>
/// Issue 21: two nodes on one PostgreSQL database (and, in the Redis variants, one redis-server), each a real host
/// on its own socket. A turn narrated on one node is followed, stopped and settled from the other; one narration per
/// adventure across nodes; rate limits and sign-outs hold across them.
/// </summary>
public sealed class TwoNodeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_turn_started_on_A_and_reattached_on_B_gets_every_token_in_order(bool redis)
    {
        await using var nodes = await TwoNodes.StartAsync(redis);
        using var onA = await nodes.A.CreateUserClientAsync();
        using var onB = TwoNodes.SameUser(nodes.B, onA);
        var setup = await AdventureTestData.CreateAsync(onA);

        var seen = new List<SseEvent>();
        await foreach (
            var e in Sse.StreamAsync(onA, AdventureTestData.Turn(setup.AdventureId, "relay {{tokens:30}}{{delay:30}}"))
        )
        {
            seen.Add(e);
            if (seen.Count(s => s.Event == "token") == 4)
            {
                break; // the client loses node A (the connection drops) and comes back through node B
            }
        }
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/adventures/{setup.AdventureId}/stream");
        resume.Headers.Add("Last-Event-ID", seen.Last(e => e.Event == "token").Id);
        var rest = await Sse.ReadAllAsync(onB, resume);

        Assert.Equal("turn.completed", rest[^1].Event);
        var tokens = rest.Where(e => e.Event == "token").ToArray();
        Assert.Equal(26, tokens.Length); // exactly the ones not yet seen, each once
        var turnId = seen[0].Data.Str("turnId");
        Assert.Equal(
            Enumerable.Range(5, 26).Select(i => $"{turnId}.0.{i}"),
            tokens.Select(t => t.Id) // in order, numbered as node A numbered them
        );
        var text = string.Concat(seen.Concat(rest).Where(e => e.Event == "token").Select(e => e.Data.Str("text")));
        Assert.Equal(rest[^1].Data.Str("narration"), text);
    }

    [Fact]
    public async Task stop_on_B_stops_the_narration_running_on_A_and_undo_on_B_waits_for_it()
    {
        await using var nodes = await TwoNodes.StartAsync(redis: false);
        using var onA = await nodes.A.CreateUserClientAsync();
        using var onB = TwoNodes.SameUser(nodes.B, onA);
        var setup = await AdventureTestData.CreateAsync(onA);
        var narrating = Sse.ReadAllAsync(
            onA,
            AdventureTestData.Turn(setup.AdventureId, "stop {{tokens:400}}{{delay:20}}")
        );
        await WaitUntilNarratingAsync(onB, setup.AdventureId);
        // B knows A narrates: undo waits for it there too
        await (await onB.PostAsync($"/api/v1/adventures/{setup.AdventureId}/undo", null)).AssertProblemAsync(
            HttpStatusCode.Conflict,
            "turn_in_progress"
        );

        var stopped = await (await onB.PostAsync($"/api/v1/adventures/{setup.AdventureId}/stop", null)).JsonAsync();

        Assert.Equal("stopped", stopped.Str("status"));
        var events = await narrating;
        Assert.Equal("turn.completed", events[^1].Event);
        Assert.Equal("stopped", events[^1].Data.Str("status"));
        Assert.True(events.Count(e => e.Event == "token") < 400);
    }

    [Fact]
    public async Task a_node_killed_mid_narration_leaves_its_turn_interrupted_within_the_lease_and_B_retries_it()
    {
        await using var nodes = await TwoNodes.StartAsync(redis: false);
        var (process, address) = await nodes.StartProcessNodeAsync("node-killed");
        try
        {
            using var onB = await nodes.B.CreateUserClientAsync();
            using var onKilled = TwoNodes.SameUser(address, onB);
            var setup = await AdventureTestData.CreateAsync(onB);
            var seen = 0;
            string? turnId = null;
            await foreach (
                var e in Sse.StreamAsync(
                    onKilled,
                    AdventureTestData.Turn(setup.AdventureId, "doomed {{tokens:150}}{{delay:40}}")
                )
            )
            {
                turnId ??= e.Data.TryGetProperty("turnId", out var id) ? id.GetString() : null;
                if (e.Event == "token" && ++seen == 3)
                {
                    break;
                }
            }
            // A player re-attached on B while the node narrating dies under it.
            var relayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var following = Task.Run(async () =>
            {
                var events = new List<SseEvent>();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await foreach (
                    var e in Sse.StreamAsync(
                        onB,
                        new HttpRequestMessage(HttpMethod.Get, $"/api/v1/adventures/{setup.AdventureId}/stream"),
                        timeout.Token
                    )
                )
                {
                    events.Add(e);
                    if (e.Event == "token")
                    {
                        relayed.TrySetResult();
                    }
                }
                return events;
            });
            await relayed.Task.WaitAsync(TimeSpan.FromSeconds(30));

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();

            var turn = await Poll.UntilAsync(
                async () =>
                    await (await onB.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turnId}")).JsonAsync(),
                t => t.Str("status") == "interrupted",
                t => $"the turn is still {t.Str("status")}",
                timeout: TwoNodes.LeaseTimeout * 4
            );
            Assert.Equal("interrupted", turn.Str("status"));
            var followed = await following;
            Assert.Equal("turn.failed", followed[^1].Event);
            Assert.Equal("interrupted", followed[^1].Data.Str("code"));

            var retried = await (
                await onB.PostAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turnId}/retry", null)
            ).JsonAsync();
            Assert.Equal("completed", retried.Str("status"));
            Assert.Equal(2, retried.GetProperty("alternatives").GetArrayLength());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }
    }

    [Fact]
    public async Task simultaneous_turns_on_A_and_B_narrate_exactly_once_and_the_other_is_409()
    {
        await using var nodes = await TwoNodes.StartAsync(redis: false);
        using var onA = await nodes.A.CreateUserClientAsync();
        using var onB = TwoNodes.SameUser(nodes.B, onA);
        var setup = await AdventureTestData.CreateAsync(onA);

        var path = $"/api/v1/adventures/{setup.AdventureId}/turns";
        // Long narrations, streamed: each answer comes as soon as its turn is accepted or refused, so the two overlap
        // however slowly a busy machine delivers the requests.
        HttpRequestMessage Turn(string text)
        {
            var request = AdventureTestData.Turn(setup.AdventureId, text + " {{tokens:400}}{{delay:25}}");
            request.Headers.Accept.ParseAdd("text/event-stream");
            return request;
        }
        var answers = await Task.WhenAll(
            onA.SendAsync(Turn("first"), HttpCompletionOption.ResponseHeadersRead),
            onB.SendAsync(Turn("second"), HttpCompletionOption.ResponseHeadersRead)
        );
        try
        {
            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
            await answers
                .Single(a => a.StatusCode != HttpStatusCode.OK)
                .AssertProblemAsync(HttpStatusCode.Conflict, "turn_in_progress");
        }
        finally
        {
            await onB.PostAsync($"/api/v1/adventures/{setup.AdventureId}/stop", null);
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
        var turns = await Poll.UntilAsync(
            async () => await (await onB.GetAsync(path)).JsonAsync(),
            t => t.GetProperty("items").EnumerateArray().All(i => i.Str("status") != "streaming"),
            _ => "the narration never ended"
        );
        Assert.Equal(1, turns.GetProperty("items").EnumerateArray().Count(t => t.Str("kind") != "opening"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_rate_limit_of_5_a_minute_holds_across_both_nodes(bool redis)
    {
        await using var nodes = await TwoNodes.StartAsync(
            redis,
            new Dictionary<string, string?> { ["RateLimits:AuthPerMinute"] = "5" }
        );
        using var clientA = nodes.A.CreateClient();
        using var clientB = nodes.B.CreateClient();
        // The windows are whole minutes: start well inside one, so the six sign-ins below share it.
        await Poll.UntilAsync(() => DateTime.UtcNow.Second < 50, "never inside a minute's first 50 seconds");

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            var client = i % 2 == 0 ? clientA : clientB;
            answers.Add(
                await client.PostAsJsonAsync(
                    "/api/v1/auth/login",
                    new { username = "nobody-" + i, password = "not the password" }
                )
            );
        }

        Assert.All(answers.Take(5), a => Assert.NotEqual(HttpStatusCode.TooManyRequests, a.StatusCode));
        var limited = answers[5];
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(
            int.Parse(limited.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture)
                is > 0
                    and <= 60
        );
        // and on A as well: the count is one for both nodes
        await (
            await clientA.PostAsJsonAsync("/api/v1/auth/login", new { username = "nobody", password = "x" })
        ).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_password_change_on_A_signs_the_other_session_out_on_B_at_once(bool redis)
    {
        // Sessions are cached for five minutes here: only the message between the nodes can sign B out in time.
        await using var nodes = await TwoNodes.StartAsync(
            redis,
            new Dictionary<string, string?> { ["Auth:SessionCheckSeconds"] = "300" }
        );
        var username = TestAccounts.NewName("Moving");
        const string password = "a long enough password";
        using var onA = nodes.A.CreateClient();
        (await onA.PostAsJsonAsync("/api/v1/auth/register", new { username, password })).EnsureSuccessStatusCode();
        var first = await (await onA.PostAsJsonAsync("/api/v1/auth/login", new { username, password })).JsonAsync();
        var second = await (await onA.PostAsJsonAsync("/api/v1/auth/login", new { username, password })).JsonAsync();
        TwoNodes.Bearer(onA, first.Str("accessToken"));
        using var onB = nodes.B.CreateClient();
        TwoNodes.Bearer(onB, second.Str("accessToken"));
        (await onB.GetAsync("/api/v1/me")).EnsureSuccessStatusCode(); // B now holds the session as active

        (
            await onA.PostAsJsonAsync(
                "/api/v1/me/password",
                new { currentPassword = password, newPassword = "another long enough password" }
            )
        ).EnsureSuccessStatusCode();

        await Poll.UntilAsync(
            async () => (await onB.GetAsync("/api/v1/me")).StatusCode == HttpStatusCode.Unauthorized,
            "node B still accepts the session the password change on node A revoked",
            timeout: TimeSpan.FromSeconds(10)
        );
        (await onA.GetAsync("/api/v1/me")).EnsureSuccessStatusCode(); // the session that changed it stays
    }

    private static Task WaitUntilNarratingAsync(HttpClient client, string adventureId) =>
        Poll.UntilAsync(
            async () =>
            {
                var turns = await (
                    await client.GetAsync($"/api/v1/adventures/{adventureId}/turns?limit=1")
                ).JsonAsync();
                return turns.GetProperty("items")[0].Str("status") == "streaming";
            },
            "The turn never started narrating."
        );
}
