using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using StoryEngine.Server.Speech;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;
using StoryEngine.Tests.Speech;

namespace StoryEngine.Tests.Bedtime;

/// <summary>Issue 25 on both engines, with the scripted model and real espeak-ng and lame.</summary>
public abstract class BedtimeApiTests(ServerFixture server)
{
    private const string Chapter1Scary =
        "Mila walked to the lighthouse. A scary shadow moved on the wall. She was very afraid.";
    private const string Chapter1 =
        "Mila walked to the old lighthouse by the sea. The keeper, a kind old cat, waved hello. "
        + "Together they polished the great lamp until it glowed.";
    private const string Chapter2Blood = "Then a storm came, and there was blood on the rocks.";
    private const string Chapter2 =
        "The lamp shone across the quiet water. A little boat found its way home. "
        + "Mila yawned, snuggled into her blanket, and fell fast asleep.";

    private static string ChapterJson(string title, string text) =>
        JsonSerializer.Serialize(
            new
            {
                storyTitle = "Mila and the Lighthouse",
                title,
                text,
            }
        );

    private static string Verdict(bool suitable, params string[] problems) =>
        JsonSerializer.Serialize(new { suitable, problems });

    private static async Task<(string Theme, JsonElement Accepted)> AskAsync(HttpClient client)
    {
        var theme = "a lighthouse " + Guid.NewGuid().ToString("N")[..8];
        var backend = await ScriptedBackend.InstanceAsync();
        backend.ScriptStructured(
            "Theme: " + theme,
            ChapterJson("The Keeper", Chapter1Scary),
            ChapterJson("The Keeper", Chapter1),
            ChapterJson("Home", Chapter2Blood),
            ChapterJson("Home", Chapter2)
        );
        backend.ScriptStructured(
            "About: " + theme,
            Verdict(false, "a scary shadow frightens the child"),
            Verdict(true),
            Verdict(true)
        );
        var accepted = await client.PostJsonAsync(
            "/api/v1/bedtime-stories",
            new
            {
                childName = "Mila",
                ageBand = "5–7",
                theme,
                minutes = 4,
                lesson = "helping others",
            },
            HttpStatusCode.Accepted
        );
        return (theme, accepted);
    }

    [Fact]
    public async Task story_for_a_named_five_year_old_is_written_in_chapters_guarded_and_voiced()
    {
        using var client = await server.CreateUserClientAsync();
        var (theme, accepted) = await AskAsync(client);
        var story = accepted.GetProperty("story");
        var id = story.Id();
        Assert.Equal("writing", story.Str("status"));
        Assert.Equal("5-7", story.Str("ageBand"));
        Assert.Equal(2, story.GetProperty("chapterCount").GetInt32());
        Assert.False(string.IsNullOrEmpty(accepted.Str("jobId")));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/bedtime-stories/{id}/events");
        var events = await Sse.ReadAllAsync(client, request);
        Assert.Equal("story", events[0].Event);
        Assert.Equal(
            [1, 2],
            events.Where(e => e.Event == "chapter").Select(e => e.Data.GetProperty("number").GetInt32())
        );
        Assert.Equal(2, events.Count(e => e.Event == "audio"));
        Assert.Equal("ready", events[^1].Data.Str("status"));
        // The first chapter could be heard before the story was finished being written and voiced.
        Assert.True(
            events.FindIndex(e => e.Event == "audio") < events.FindLastIndex(e => e.Event == "chapter")
                || events.FindIndex(e => e.Event == "audio") < events.Count - 2
        );

        var ready = await (await client.GetAsync($"/api/v1/bedtime-stories/{id}")).JsonAsync();
        Assert.Equal("ready", ready.Str("status"));
        Assert.Equal("Mila and the Lighthouse", ready.Str("title"));
        var chapters = ready.GetProperty("chapters").EnumerateArray().ToArray();
        // Caught by the utility model, rewritten, and said so.
        Assert.Equal(Chapter1, chapters[0].Str("text"));
        Assert.Equal("rewritten", chapters[0].Str("guard"));
        Assert.Contains("scary shadow", chapters[0].Str("guardNote"), StringComparison.Ordinal);
        // Caught by the word list, rewritten, and said so.
        Assert.Equal(Chapter2, chapters[1].Str("text"));
        Assert.Equal("rewritten", chapters[1].Str("guard"));
        Assert.Contains("word list", chapters[1].Str("guardNote"), StringComparison.Ordinal);
        Assert.Contains("blood", chapters[1].Str("guardNote"), StringComparison.Ordinal);

        // The prompts: the age band's rules, the child, the lesson; a rewrite is told what was wrong.
        var backend = await ScriptedBackend.InstanceAsync();
        var prompts = backend.StructuredRequestsContaining("Theme: " + theme).Select(r => r.ToJsonString()).ToArray();
        Assert.Equal(4, prompts.Length);
        Assert.All(prompts, p => Assert.Contains("5 to 7 years old", p, StringComparison.Ordinal));
        Assert.Contains("for Mila", prompts[0], StringComparison.Ordinal);
        Assert.Contains("helping others", prompts[0], StringComparison.Ordinal);
        Assert.Contains("a scary shadow frightens the child", prompts[1], StringComparison.Ordinal);
        Assert.Contains("not suitable", prompts[3], StringComparison.Ordinal);
        Assert.Contains(Chapter1, prompts[2], StringComparison.Ordinal); // chapter 2 is written after chapter 1

        // The audio decodes and lasts as long as its words take at the bedtime pace.
        var first = await client.GetAsync($"/api/v1/bedtime-stories/{id}/chapters/1/audio");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("audio/mpeg", first.Content.Headers.ContentType!.MediaType);
        Assert.Equal("bytes", first.Headers.AcceptRanges.Single());
        var mp3 = await first.Content.ReadAsByteArrayAsync();
        var decoded = await Mp3Decoder.DecodeAsync(mp3);
        var words = Chapter1.Split(' ').Length;
        var expected = words / (EspeakSynthesizer.WordsPerMinute * 0.85) * 60;
        Assert.InRange(decoded.Duration.TotalSeconds, expected * 0.7, expected * 1.5);
        var sentences = chapters[0].GetProperty("sentences").EnumerateArray().ToArray();
        Assert.Equal(3, sentences.Length);
        Assert.Equal("The keeper, a kind old cat, waved hello.", sentences[1].Str("text"));
        Assert.InRange(
            sentences[^1].GetProperty("endMs").GetInt32(),
            1000,
            (int)decoded.Duration.TotalMilliseconds + 100
        );

        // Range: the right bytes, 206; the ETag: 304.
        using var range = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/bedtime-stories/{id}/chapters/1/audio");
        range.Headers.Range = new RangeHeaderValue(100, 199);
        var partial = await client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(mp3[100..200], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 100-199/{mp3.Length}", partial.Content.Headers.ContentRange!.ToString());
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/bedtime-stories/{id}/chapters/1/audio");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);

        // The whole story: both chapters, one after the other, one file.
        var second = await client.GetByteArrayAsync($"/api/v1/bedtime-stories/{id}/chapters/2/audio");
        var whole = await client.GetByteArrayAsync($"/api/v1/bedtime-stories/{id}/audio");
        Assert.Equal([.. mp3, .. second], whole);
        var wholeDecoded = await Mp3Decoder.DecodeAsync(whole);
        Assert.True(wholeDecoded.Duration > decoded.Duration + TimeSpan.FromSeconds(5));
        Assert.Equal(ready.GetProperty("durationMs").GetInt32() / 1000.0, wholeDecoded.Duration.TotalSeconds, 0.5);
    }

    [Fact]
    public async Task library_lists_searches_marks_favourites_trashes_restores_exports_and_deletes_with_audio()
    {
        using var client = await server.CreateUserClientAsync();
        var (theme, accepted) = await AskAsync(client);
        var id = accepted.GetProperty("story").Id();
        await Poll.UntilAsync(
            async () =>
                (await (await client.GetAsync($"/api/v1/bedtime-stories/{id}")).JsonAsync()).Str("status") == "ready",
            "The story did not become ready."
        );

        static string[] Ids(JsonElement page) =>
            page.GetProperty("items").EnumerateArray().Select(i => i.Id()).ToArray();
        Assert.Equal([id], Ids(await (await client.GetAsync("/api/v1/bedtime-stories?child=mila")).JsonAsync()));
        Assert.Equal([id], Ids(await (await client.GetAsync($"/api/v1/bedtime-stories?q={theme[^8..]}")).JsonAsync()));
        Assert.Empty(Ids(await (await client.GetAsync("/api/v1/bedtime-stories?child=Noah")).JsonAsync()));
        Assert.Empty(Ids(await (await client.GetAsync("/api/v1/bedtime-stories?favourite=true")).JsonAsync()));

        var renamed = await (
            await client.PatchAsJsonAsync(
                $"/api/v1/bedtime-stories/{id}",
                new { title = "Our lighthouse", favourite = true }
            )
        ).JsonAsync();
        Assert.Equal("Our lighthouse", renamed.Str("title"));
        Assert.Equal([id], Ids(await (await client.GetAsync("/api/v1/bedtime-stories?favourite=true")).JsonAsync()));

        // EPUB: a zip with the mimetype first and stored, a package listing both chapters, XHTML that parses.
        var epub = await client.GetAsync($"/api/v1/bedtime-stories/{id}/epub");
        Assert.Equal("application/epub+zip", epub.Content.Headers.ContentType!.MediaType);
        using (var zip = new ZipArchive(new MemoryStream(await epub.Content.ReadAsByteArrayAsync())))
        {
            Assert.Equal("mimetype", zip.Entries[0].FullName);
            Assert.Equal(zip.Entries[0].Length, zip.Entries[0].CompressedLength);
            using (var reader = new StreamReader(zip.Entries[0].Open()))
            {
                Assert.Equal("application/epub+zip", await reader.ReadToEndAsync());
            }
            var container = XDocument.Load(zip.GetEntry("META-INF/container.xml")!.Open());
            var opfPath = container
                .Descendants()
                .Single(e => e.Name.LocalName == "rootfile")
                .Attribute("full-path")!
                .Value;
            var opf = XDocument.Load(zip.GetEntry(opfPath)!.Open());
            Assert.Equal("Our lighthouse", opf.Descendants().Single(e => e.Name.LocalName == "title").Value);
            var spine = opf.Descendants().Where(e => e.Name.LocalName == "itemref").ToArray();
            Assert.Equal(2, spine.Length);
            var page = XDocument.Load(zip.GetEntry("OEBPS/chapter-2.xhtml")!.Open());
            Assert.Contains("fell fast asleep", page.Root!.Value, StringComparison.Ordinal);
            Assert.NotNull(zip.GetEntry("OEBPS/nav.xhtml"));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/bedtime-stories/{id}")).StatusCode);
        Assert.Empty(Ids(await (await client.GetAsync("/api/v1/bedtime-stories")).JsonAsync()));
        Assert.Equal([id], Ids(await (await client.GetAsync("/api/v1/bedtime-stories/trash")).JsonAsync()));
        await (await client.GetAsync($"/api/v1/bedtime-stories/{id}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await client.PostAsync($"/api/v1/bedtime-stories/{id}/restore", null)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await client.GetAsync($"/api/v1/bedtime-stories/{id}/chapters/1/audio")).StatusCode
        );

        // Someone else sees none of it.
        using var other = await server.CreateUserClientAsync();
        await (await other.GetAsync($"/api/v1/bedtime-stories/{id}/audio")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );

        // Deleted for good: the story and its audio.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/bedtime-stories/{id}")).StatusCode);
        Assert.Equal(
            HttpStatusCode.NoContent,
            (await client.DeleteAsync($"/api/v1/bedtime-stories/{id}?permanent=true")).StatusCode
        );
        Assert.Empty(Ids(await (await client.GetAsync("/api/v1/bedtime-stories/trash")).JsonAsync()));
        var audio = server.Services.GetRequiredService<StoryEngine.Core.Speech.ISpeechAudioStore>();
        Assert.Empty(
            await audio.ListAsync(
                await UserIdAsync(client),
                StoryEngine.Core.Speech.AudioKinds.Bedtime,
                id + "/",
                CancellationToken.None
            )
        );
    }

    [Fact]
    public async Task bad_requests_are_refused_with_the_field_and_unsuitable_themes_with_bedtime_refused()
    {
        using var client = await server.CreateUserClientAsync();
        var problem = await (
            await client.PostAsJsonAsync(
                "/api/v1/bedtime-stories",
                new
                {
                    ageBand = "11-14",
                    theme = "",
                    minutes = 90,
                }
            )
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("ageBand", out _));
        Assert.True(errors.TryGetProperty("theme", out _));
        Assert.True(errors.TryGetProperty("minutes", out _));

        var refused = await (
            await client.PostAsJsonAsync(
                "/api/v1/bedtime-stories",
                new
                {
                    ageBand = "2-4",
                    theme = "a monster who wants to kill the moon",
                    minutes = 3,
                }
            )
        ).AssertProblemAsync((HttpStatusCode)422, "bedtime_refused");
        Assert.Contains("kill", refused.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_narration_is_read_aloud_on_request_and_again_after_it_is_edited()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var turn = (await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "I light the lamp")).Id();
        var address = $"/api/v1/adventures/{setup.AdventureId}/turns/{turn}/audio";
        await (await client.GetAsync(address)).AssertProblemAsync(HttpStatusCode.Conflict, "audio_not_ready");

        var asked = await (await client.PostAsync(address, null)).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("voicing", asked.Str("status"));
        var ready = await Poll.UntilAsync(
            async () => await client.PostAsync(address, null),
            r => r.StatusCode == HttpStatusCode.OK,
            r => $"The narration was not voiced: {(int)r.StatusCode}"
        );
        var facts = await ready.JsonAsync();
        Assert.Equal("ready", facts.Str("status"));
        var audio = await client.GetAsync(address);
        Assert.Equal("audio/mpeg", audio.Content.Headers.ContentType!.MediaType);
        var decoded = await Mp3Decoder.DecodeAsync(await audio.Content.ReadAsByteArrayAsync());
        Assert.Equal(facts.GetProperty("durationMs").GetInt32() / 1000.0, decoded.Duration.TotalSeconds, 0.5);

        // An edited narration is not the one recorded: it must be voiced again.
        (
            await client.PatchAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/turns/{turn}",
                new { narration = "The lamp flickers. Shadows dance on the wall." }
            )
        ).EnsureSuccessStatusCode();
        await (await client.GetAsync(address)).AssertProblemAsync(HttpStatusCode.Conflict, "audio_not_ready");
        var again = await Poll.UntilAsync(
            async () => await client.PostAsync(address, null),
            r => r.StatusCode == HttpStatusCode.OK,
            r => $"The edited narration was not voiced: {(int)r.StatusCode}"
        );
        var sentences = (await again.JsonAsync()).GetProperty("sentences").EnumerateArray().ToArray();
        Assert.Equal("Shadows dance on the wall.", sentences[1].Str("text"));
    }

    [Fact]
    public async Task a_story_told_with_a_world_character_has_them_in_the_prompt_and_speaks_in_their_voice()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (
            await client.PostJsonAsync("/api/v1/worlds", new { name = "Mossvale", description = "A valley." })
        ).Id();
        var character = await client.PostJsonAsync(
            $"/api/v1/worlds/{world}/characters",
            new
            {
                name = "Bramble",
                description = "A hedgehog who hums.",
                voice = "en-gb",
            }
        );
        Assert.Equal("en-gb", character.Str("voice"));
        var theme = "a humming hedgehog " + Guid.NewGuid().ToString("N")[..8];
        (await ScriptedBackend.InstanceAsync()).ScriptStructured(
            "Theme: " + theme,
            ChapterJson("Humming", "Bramble hummed a quiet tune. The valley listened and slept.")
        );
        var accepted = await client.PostJsonAsync(
            "/api/v1/bedtime-stories",
            new
            {
                ageBand = "2-4",
                theme,
                minutes = 1,
                worldId = world,
                characterIds = new[] { character.Id() },
            },
            HttpStatusCode.Accepted
        );
        var id = accepted.GetProperty("story").Id();
        Assert.Equal("en-gb", accepted.GetProperty("story").Str("voice"));
        var ready = await Poll.UntilAsync(
            async () => await (await client.GetAsync($"/api/v1/bedtime-stories/{id}")).JsonAsync(),
            s => s.Str("status") is "ready" or "failed",
            s => $"The story is {s.Str("status")}"
        );
        Assert.Equal("ready", ready.Str("status"));
        Assert.Equal("en-gb", ready.GetProperty("chapters")[0].Str("voice"));
        var prompt = Assert.Single(
            (await ScriptedBackend.InstanceAsync()).StructuredRequestsContaining("Theme: " + theme)
        );
        Assert.Contains("A hedgehog who hums.", prompt.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("2 to 4 years old", prompt.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_chapter_still_unsuitable_after_two_rewrites_is_refused_and_the_story_fails_saying_why()
    {
        using var client = await server.CreateUserClientAsync();
        var theme = "a stubborn storm " + Guid.NewGuid().ToString("N")[..8];
        var backend = await ScriptedBackend.InstanceAsync();
        backend.ScriptStructured(
            "Theme: " + theme,
            ChapterJson("Storm", "The storm came with a gun."),
            ChapterJson("Storm", "The storm came with a gun again."),
            ChapterJson("Storm", "The storm still had a gun.")
        );
        var id = (
            await client.PostJsonAsync(
                "/api/v1/bedtime-stories",
                new
                {
                    ageBand = "8-10",
                    theme,
                    minutes = 1,
                },
                HttpStatusCode.Accepted
            )
        ).GetProperty("story").Id();
        var failed = await Poll.UntilAsync(
            async () => await (await client.GetAsync($"/api/v1/bedtime-stories/{id}")).JsonAsync(),
            s => s.Str("status") is "ready" or "failed",
            s => $"The story is {s.Str("status")}"
        );
        Assert.Equal("failed", failed.Str("status"));
        Assert.Contains("refused chapter 1 after 2 rewrites", failed.Str("error"), StringComparison.Ordinal);
        Assert.Contains("gun", failed.Str("error"), StringComparison.Ordinal);
        Assert.Empty(failed.GetProperty("chapters").EnumerateArray());
        Assert.Equal(3, backend.StructuredRequestsContaining("Theme: " + theme).Count);
    }

    private static async Task<string> UserIdAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/v1/me")).JsonAsync()).Id();
}

[Collection(SqliteCollection.Name)]
public sealed class BedtimeApiTests_Sqlite(SqliteServerFixture server) : BedtimeApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class BedtimeApiTests_Postgres(PostgresServerFixture server) : BedtimeApiTests(server);
