using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace StoryEngine.Tests.Telemetry;

/// <summary>
/// A small OTLP/HTTP receiver on loopback: accepts protobuf exports at /v1/traces (and /v1/metrics, /v1/logs, which
/// it only counts) and decodes the spans with <see cref="OtlpSpans"/>.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<byte[]> _traces = new();
    private int _otherExports;

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public int OtherExports => _otherExports;

    public IReadOnlyList<OtlpSpan> Spans => _traces.SelectMany(OtlpSpans.Decode).ToList();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            receiver._traces.Enqueue(await ReadAsync(request));
            return Results.Ok();
        });
        app.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            await ReadAsync(request);
            Interlocked.Increment(ref receiver._otherExports);
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.Endpoint = new Uri(
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
        );
        return receiver;
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        Assert.Equal("application/x-protobuf", request.ContentType);
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        return body.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
