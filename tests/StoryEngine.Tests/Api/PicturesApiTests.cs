using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SkiaSharp;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Avatars and covers through the API (issues 17, 18): uploads are decoded for real, shrunk and re-encoded, served
/// with their media type, a strong ETag and caching headers, refused precisely when they are not pictures or too
/// large, hidden from everyone but the owner, and a PNG card's picture becomes the imported character's avatar.
/// </summary>
public abstract class PicturesApiTests(ServerFixture server)
{
    [Fact]
    public async Task an_uploaded_png_is_shrunk_and_served_as_webp_with_a_strong_etag_and_304_on_if_none_match()
    {
        using var client = await server.CreateUserClientAsync();
        var (world, character) = await CharacterAsync(client, "Ada");
        var avatar = $"/api/v1/worlds/{world}/characters/{character}/avatar";
        var before = (await client.GetAsync($"/api/v1/worlds/{world}/characters/{character}")).Headers.ETag;

        var put = await (
            await client.PutAsync(avatar, TestPictures.Content(TestPictures.Make(1200, 800), "image/png"))
        ).JsonAsync();
        Assert.Equal("image/webp", put.Str("mediaType"));
        Assert.Equal(512, put.GetProperty("width").GetInt32());
        Assert.Equal(341, put.GetProperty("height").GetInt32());
        Assert.StartsWith(avatar + "?v=", put.Str("url"), StringComparison.Ordinal);

        var response = await client.GetAsync(avatar);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal(put.Str("etag"), etag.Tag);
        var cache = response.Headers.CacheControl;
        Assert.NotNull(cache);
        Assert.True(cache.Private);
        Assert.True(cache.MustRevalidate);
        Assert.NotNull(cache.MaxAge);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal((512, 341), TestPictures.SizeOf(bytes));
        Assert.True("RIFF"u8.SequenceEqual(bytes.AsSpan(0, 4)) && "WEBP"u8.SequenceEqual(bytes.AsSpan(8, 4)));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, avatar);
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional)).StatusCode);

        // The versioned URL the representation gives never changes, so it may be kept for good.
        var versioned = await client.GetAsync(put.Str("url"));
        Assert.Contains("immutable", versioned.Headers.CacheControl?.ToString(), StringComparison.Ordinal);

        // The character shows it, and its version moved with the picture.
        var shown = await client.GetAsync($"/api/v1/worlds/{world}/characters/{character}");
        Assert.NotEqual(before, shown.Headers.ETag);
        Assert.Equal(put.Str("url"), (await shown.JsonAsync()).Str("avatarUrl"));
        var list = await (await client.GetAsync($"/api/v1/worlds/{world}/characters")).JsonAsync();
        Assert.Equal(put.Str("url"), list.GetProperty("items")[0].Str("avatarUrl"));
    }

    [Fact]
    public async Task persona_avatars_and_world_covers_take_multipart_or_raw_jpeg_and_show_in_their_json()
    {
        using var client = await server.CreateUserClientAsync();
        var persona = (await client.PostJsonAsync("/api/v1/personas", new { name = "Traveller" })).Id();
        Assert.Equal(
            JsonValueKind.Null,
            (await (await client.GetAsync($"/api/v1/personas/{persona}")).JsonAsync())
                .GetProperty("avatarUrl")
                .ValueKind
        );
        var put = await (
            await client.PutAsync(
                $"/api/v1/personas/{persona}/avatar",
                TestPictures.Multipart(TestPictures.Make(64, 96), "image/png", "me.png")
            )
        ).JsonAsync();
        Assert.Equal((64, 96), (put.GetProperty("width").GetInt32(), put.GetProperty("height").GetInt32()));
        var personas = await (await client.GetAsync("/api/v1/personas")).JsonAsync();
        Assert.Equal(put.Str("url"), personas.GetProperty("items")[0].Str("avatarUrl"));

        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Covered" })).Id();
        var jpeg = TestPictures.Make(2000, 1000, SKEncodedImageFormat.Jpeg);
        var cover = await (
            await client.PutAsync($"/api/v1/worlds/{world}/cover", TestPictures.Content(jpeg, "image/jpeg"))
        ).JsonAsync();
        Assert.Equal((512, 256), (cover.GetProperty("width").GetInt32(), cover.GetProperty("height").GetInt32()));
        Assert.Equal(
            cover.Str("url"),
            (await (await client.GetAsync($"/api/v1/worlds/{world}")).JsonAsync()).Str("coverUrl")
        );
        var got = await client.GetAsync($"/api/v1/worlds/{world}/cover");
        Assert.Equal((512, 256), TestPictures.SizeOf(await got.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task a_file_that_is_not_a_picture_is_refused_with_415_and_a_broken_one_with_400()
    {
        using var client = await server.CreateUserClientAsync();
        var (world, character) = await CharacterAsync(client, "Picky");
        var avatar = $"/api/v1/worlds/{world}/characters/{character}/avatar";

        var text = await client.PutAsync(avatar, TestPictures.Content("hello"u8.ToArray(), "image/png"));
        var problem = await text.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_format");
        Assert.Contains("PNG, JPEG, WebP or GIF", problem.Str("detail"), StringComparison.Ordinal);

        var png = TestPictures.Make(300, 300);
        var truncated = await client.PutAsync(avatar, TestPictures.Content(png[..(png.Length / 3)], "image/png"));
        await truncated.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_image");

        var empty = await client.PutAsync(avatar, TestPictures.Content([], "image/png"));
        await empty.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        await (await client.GetAsync(avatar)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task an_upload_over_the_limit_is_refused_with_413_naming_the_limit()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Huge" })).Id();
        var tooBig = new byte[8 * 1024 * 1024 + 1];
        TestPictures.Make(10, 10).CopyTo(tooBig, 0);

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/worlds/{world}/cover")
        {
            Content = TestPictures.Content(tooBig, "image/png"),
        };
        // As in BadInputTests: wait for 100-continue so the client does not race the server's early 413 and close.
        request.Headers.ExpectContinue = true;
        var response = await client.SendAsync(request);
        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Contains("8 MiB", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task delete_removes_the_avatar_and_a_second_delete_is_404()
    {
        using var client = await server.CreateUserClientAsync();
        var (world, character) = await CharacterAsync(client, "Fleeting");
        var avatar = $"/api/v1/worlds/{world}/characters/{character}/avatar";
        (
            await client.PutAsync(avatar, TestPictures.Content(TestPictures.Make(40, 40), "image/png"))
        ).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(avatar)).StatusCode);

        var problem = await (await client.GetAsync(avatar)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Contains("has no avatar", problem.Str("detail"), StringComparison.Ordinal);
        await (await client.DeleteAsync(avatar)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var shown = await (await client.GetAsync($"/api/v1/worlds/{world}/characters/{character}")).JsonAsync();
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("avatarUrl").ValueKind);
    }

    [Fact]
    public async Task another_user_gets_404_for_reading_replacing_or_removing_someone_elses_picture()
    {
        using var owner = await server.CreateUserClientAsync();
        var (world, character) = await CharacterAsync(owner, "Private");
        var avatar = $"/api/v1/worlds/{world}/characters/{character}/avatar";
        var picture = TestPictures.Make(50, 50);
        (await owner.PutAsync(avatar, TestPictures.Content(picture, "image/png"))).EnsureSuccessStatusCode();

        using var stranger = await server.CreateUserClientAsync();
        await (await stranger.GetAsync(avatar)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.PutAsync(avatar, TestPictures.Content(picture, "image/png"))).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (await stranger.DeleteAsync(avatar)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(avatar)).StatusCode);
    }

    [Fact]
    public async Task a_character_in_the_trash_shows_no_avatar_until_it_is_restored()
    {
        using var client = await server.CreateUserClientAsync();
        var (world, character) = await CharacterAsync(client, "Napping");
        var avatar = $"/api/v1/worlds/{world}/characters/{character}/avatar";
        (
            await client.PutAsync(avatar, TestPictures.Content(TestPictures.Make(40, 40), "image/png"))
        ).EnsureSuccessStatusCode();

        (await client.DeleteAsync($"/api/v1/worlds/{world}/characters/{character}")).EnsureSuccessStatusCode();
        await (await client.GetAsync(avatar)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        (
            await client.PostAsync($"/api/v1/worlds/{world}/characters/{character}/restore", null)
        ).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(avatar)).StatusCode);
    }

    [Fact]
    public async Task an_imported_png_card_gets_its_picture_as_avatar_without_the_card_text_inside()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Forest" })).Id();
        var card = SharedFixtures.Read("cards/st_default_Seraphina.png");
        var imported = await (
            await client.PostAsync($"/api/v1/worlds/{world}/characters/import", TestPictures.Content(card, "image/png"))
        ).JsonAsync(HttpStatusCode.Created);
        var character = imported.GetProperty("character");
        var url = character.Str("avatarUrl");
        Assert.StartsWith(
            $"/api/v1/worlds/{world}/characters/{character.Id()}/avatar?v=",
            url,
            StringComparison.Ordinal
        );

        var response = await client.GetAsync(url);
        Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
        var avatar = await response.Content.ReadAsByteArrayAsync();
        var (width, height) = TestPictures.SizeOf(avatar);
        var (cardWidth, cardHeight) = TestPictures.SizeOf(card);
        Assert.True(Math.Max(width, height) <= 512);
        Assert.Equal(Math.Round((double)cardWidth / cardHeight, 1), Math.Round((double)width / height, 1));
        // Re-encoding keeps the pixels only: none of the card's text chunks travel with the avatar.
        Assert.DoesNotContain("chara", Encoding.Latin1.GetString(avatar), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task a_png_card_export_is_drawn_on_the_uploaded_avatar_and_a_removed_one_leaves_a_placeholder()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Redrawn" })).Id();
        var imported = await (
            await client.PostAsync(
                $"/api/v1/worlds/{world}/characters/import",
                TestPictures.Content(SharedFixtures.Read("cards/st_default_Seraphina.png"), "image/png")
            )
        ).JsonAsync(HttpStatusCode.Created);
        var character = imported.GetProperty("character").Id();
        var export = $"/api/v1/worlds/{world}/characters/{character}/export?format=png";
        var avatar = $"/api/v1/worlds/{world}/characters/{character}/avatar";

        (
            await client.PutAsync(avatar, TestPictures.Content(TestPictures.Make(300, 200), "image/png"))
        ).EnsureSuccessStatusCode();
        var redrawn = await client.GetByteArrayAsync(export);
        Assert.Equal((300, 200), TestPictures.SizeOf(redrawn));
        // Still a card: it imports again, with the new picture as its avatar.
        var again = await (
            await client.PostAsync(
                $"/api/v1/worlds/{world}/characters/import",
                TestPictures.Content(redrawn, "image/png")
            )
        ).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("Seraphina", again.GetProperty("character").Str("name"));
        var reimported = await client.GetByteArrayAsync(again.GetProperty("character").Str("avatarUrl"));
        Assert.Equal((300, 200), TestPictures.SizeOf(reimported));

        (await client.DeleteAsync(avatar)).EnsureSuccessStatusCode();
        var placeholder = await client.GetByteArrayAsync(export);
        Assert.NotEqual((300, 200), TestPictures.SizeOf(placeholder));
    }

    private static async Task<(string World, string Character)> CharacterAsync(HttpClient client, string name)
    {
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = name + "'s world" })).Id();
        var character = (await client.PostJsonAsync($"/api/v1/worlds/{world}/characters", new { name })).Id();
        return (world, character);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class PicturesApiTests_Sqlite(SqliteServerFixture server) : PicturesApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class PicturesApiTests_Postgres(PostgresServerFixture server) : PicturesApiTests(server);
