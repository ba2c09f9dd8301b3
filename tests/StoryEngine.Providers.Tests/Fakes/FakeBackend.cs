using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Tests.Fakes;

/// <summary>A request as the fake server received it.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    string Body
)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port, speaking one provider's wire format. Chat requests are
/// answered by the queued scenarios in order (the last one repeats); the probe endpoints answer as the real
/// servers do.
/// </summary>
public sealed class FakeBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Scenario> _scenarios;
    private readonly Lock _lock = new();
    private readonly List<RecordedRequest> _requests = [];
    private Scenario _last;

    private FakeBackend(WebApplication app, Dialect dialect, Scenario[] scenarios)
    {
        _app = app;
        Dialect = dialect;
        _scenarios = new ConcurrentQueue<Scenario>(scenarios);
        _last = scenarios[^1];
    }

    public Dialect Dialect { get; }

    /// <summary>http://127.0.0.1:port</summary>
    public string Origin { get; private set; } = "";

    /// <summary>What a user would configure as Backends:{name}:BaseUrl.</summary>
    public string BaseUrl => Dialect.BaseUrl(Origin);

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return _requests.ToList();
            }
        }
    }

    public int ChatRequestCount => Requests.Count(r => r.Path == Dialect.ChatPath);

    public RecordedRequest LastChatRequest => Requests.Last(r => r.Path == Dialect.ChatPath);

    /// <summary>Ollama's GET /api/tags lists these.</summary>
    public IList<string> PulledModels { get; } = [Scenarios.Model + ":latest"];

    public BackendOptions Options(string? name = null, string? apiKey = null) =>
        new()
        {
            Name = name ?? Dialect.Kind,
            Kind = Dialect.Kind,
            BaseUrl = BaseUrl,
            Model = Scenarios.Model,
            ApiKey = apiKey ?? (Dialect.Kind == "anthropic" ? "sk-ant-test" : null),
            ContextTokens = 4096,
        };

    public static async Task<FakeBackend> StartAsync(Dialect dialect, params Scenario[] scenarios)
    {
        if (scenarios.Length == 0)
        {
            scenarios = [Fakes.Scenarios.Answer("Once", " upon", " a", " time.")];
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // Hung handlers watch ApplicationStopping, so a short shutdown wait is enough.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var fake = new FakeBackend(app, dialect, scenarios);
        app.Use(
            async (context, next) =>
            {
                fake.Record(
                    context.Request.Method,
                    context.Request.Path,
                    context.Request.Headers.ToDictionary(
                        h => h.Key,
                        h => h.Value.ToString(),
                        StringComparer.OrdinalIgnoreCase
                    ),
                    await ReadBodyAsync(context.Request)
                );
                await next(context);
            }
        );
        app.MapPost(dialect.ChatPath, (HttpContext context) =>
            fake.NextScenario()(context, dialect, app.Lifetime.ApplicationStopping)
        );
        app.MapGet("/api/version", () => Results.Json(new { version = "0.12.3" }));
        app.MapGet("/api/tags", () => Results.Json(
                new
                {
                    models = fake.PulledModels.Select(m => new
                    {
                        name = m,
                        model = m,
                        modified_at = "2025-06-01T12:00:00Z",
                        size = 2_019_393_189L,
                        digest = "abc",
                        details = new
                        {
                            family = "llama",
                            parameter_size = "3.2B",
                            quantization_level = "Q4_K_M",
                        },
                    }),
                }
            ));
        app.MapGet("/v1/models", () => Results.Json(
                new
                {
                    @object = "list",
                    data = new[]
                    {
                        new
                        {
                            id = Fakes.Scenarios.Model,
                            @object = "model",
                            created = 1_700_000_000,
                            owned_by = "test",
                        },
                    },
                }
            ));
        app.MapGet("/v1/models/{model}", (string model) => Results.Json(
                new
                {
                    type = "model",
                    id = model,
                    display_name = "Test Model",
                    created_at = "2025-01-01T00:00:00Z",
                }
            ));
        await app.StartAsync();
        fake.Origin = app.Urls.Single().TrimEnd('/');
        return fake;
    }

    /// <summary>A loopback port with nothing listening: connecting to it is refused at once.</summary>
    public static string ClosedOrigin()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        request.EnableBuffering();
        request.Body.Position = 0;
        using var reader = new StreamReader(request.Body, Encoding.UTF8, leaveOpen: true);
        var body = await reader.ReadToEndAsync();
        request.Body.Position = 0;
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Record(string method, string path, IReadOnlyDictionary<string, string> headers, string body)
    {
        lock (_lock)
        {
            _requests.Add(new RecordedRequest(method, path, headers, body));
        }
    }

    private Scenario NextScenario()
    {
        if (_scenarios.TryDequeue(out var next))
        {
            _last = next;
        }
        return _last;
    }
}
