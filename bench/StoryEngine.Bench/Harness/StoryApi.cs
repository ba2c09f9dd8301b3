using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace StoryEngine.Bench.Harness;

/// <summary>A signed-in account of the bench.</summary>
internal sealed record BenchUser(string Id, string Username, string AccessToken);

/// <summary>The few calls of the public HTTP API the measurements need, made the way a client makes them.</summary>
internal sealed class StoryApi(HttpClient http)
{
    private const string Password = "benchmark password";

    public HttpClient Http => http;

    /// <summary>
    /// One client for many users (the token goes on each request). The pool is unlimited and keeps idle
    /// connections, so a thousand concurrent streams get a thousand connections rather than a queue.
    /// </summary>
    public static HttpClient CreateClient(Uri baseAddress) =>
        new(
            new SocketsHttpHandler
            {
                MaxConnectionsPerServer = int.MaxValue,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
                AutomaticDecompression = System.Net.DecompressionMethods.None,
            }
        )
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };

    public async Task<BenchUser> RegisterAsync(string username, CancellationToken cancellationToken)
    {
        var user = await ReadAsync(
            await http.PostAsJsonAsync(
                "/api/v1/auth/register",
                new { username, password = Password },
                cancellationToken
            ),
            cancellationToken
        );
        var tokens = await ReadAsync(
            await http.PostAsJsonAsync("/api/v1/auth/login", new { username, password = Password }, cancellationToken),
            cancellationToken
        );
        return new BenchUser(
            user.GetProperty("id").GetString()!,
            username,
            tokens.GetProperty("accessToken").GetString()!
        );
    }

    /// <summary>A world with a character, a place and a persona, and an adventure in it; returns the adventure's
    /// id.</summary>
    public async Task<string> CreateAdventureAsync(
        BenchUser user,
        CancellationToken cancellationToken,
        object? character = null
    )
    {
        var world = await PostAsync(user, "/api/v1/worlds", BenchStory.World, cancellationToken);
        var characterId = await PostAsync(
            user,
            $"/api/v1/worlds/{world}/characters",
            character ?? BenchStory.Character,
            cancellationToken
        );
        var location = await PostAsync(
            user,
            $"/api/v1/worlds/{world}/locations",
            BenchStory.Location,
            cancellationToken
        );
        var persona = await PostAsync(user, "/api/v1/personas", BenchStory.Persona, cancellationToken);
        return await PostAsync(
            user,
            "/api/v1/adventures",
            new
            {
                worldId = world,
                personaId = persona,
                characterIds = new[] { characterId },
                startLocationId = location,
            },
            cancellationToken
        );
    }

    /// <summary>Changes the adventure's settings (<c>PATCH /api/v1/adventures/{id}</c>, a JSON merge patch).</summary>
    public async Task PatchAdventureAsync(
        BenchUser user,
        string adventureId,
        object patch,
        CancellationToken cancellationToken
    )
    {
        using var request = Request(HttpMethod.Patch, $"/api/v1/adventures/{adventureId}", user, patch);
        await ReadAsync(await http.SendAsync(request, cancellationToken), cancellationToken);
    }

    /// <summary>A request carrying the user's bearer token.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string url, BenchUser user, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }

    /// <summary>Adds <paramref name="lorebook"/> to the world of the adventure.</summary>
    public async Task AddLorebookAsync(
        BenchUser user,
        string adventureId,
        object lorebook,
        CancellationToken cancellationToken
    )
    {
        using var read = Request(HttpMethod.Get, $"/api/v1/adventures/{adventureId}", user);
        var adventure = await ReadAsync(await http.SendAsync(read, cancellationToken), cancellationToken);
        await PostAsync(
            user,
            $"/api/v1/worlds/{adventure.GetProperty("worldId").GetString()}/lorebooks",
            lorebook,
            cancellationToken
        );
    }

    /// <summary>POST …/turns asking for an event stream.</summary>
    public static HttpRequestMessage TurnRequest(string adventureId, BenchUser user, string text)
    {
        var request = Request(
            HttpMethod.Post,
            $"/api/v1/adventures/{adventureId}/turns",
            user,
            new { kind = "do", text }
        );
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }

    public async Task<string> PostAsync(BenchUser user, string url, object body, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, url, user, body);
        var json = await ReadAsync(await http.SendAsync(request, cancellationToken), cancellationToken);
        return json.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"{(int)response.StatusCode} from " + $"{response.RequestMessage?.RequestUri}: {body}"
                );
            }
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }
}
