using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StoryEngine.Core.Speech;
using StoryEngine.Server.Speech;

namespace StoryEngine.Tests.Speech;

/// <summary>Real espeak-ng and lame: a passage is spoken, encoded, decoded again and measured.</summary>
public sealed class SpeechChainTests
{
    private const string Passage =
        "Once upon a time, a small fox lived under an old oak tree. Every night she counted the stars. "
        + "One evening a star winked back at her! She smiled, curled up in her soft bed, and fell asleep.";

    private static SpeechOptions Options() => new() { CooldownSeconds = 30 };

    private static SpeechChain Chain(SpeechOptions options, params ISpeechSynthesizer[] extra) =>
        new(
            [.. extra, new EspeakSynthesizer(options)],
            new LameMp3Encoder(options),
            options,
            TimeProvider.System,
            NullLogger<SpeechChain>.Instance
        );

    [Fact]
    public async Task espeak_passage_decodes_to_as_long_as_its_words_take_to_say()
    {
        var options = Options();
        var speech = await Chain(options).RenderAsync(Passage, null, 1.0, CancellationToken.None);

        Assert.Equal("audio/mpeg", speech.Audio.MediaType);
        Assert.Equal("espeak", speech.Backend);
        Assert.Equal(4, speech.Sentences.Count);
        var decoded = await Mp3Decoder.DecodeAsync(speech.Audio.Data);
        Assert.Equal(LameMp3Encoder.OutputRate, decoded.SampleRate);
        // 37 words at espeak-ng's 165 words a minute, plus the pauses between sentences.
        var words = Passage.Split(' ').Length;
        var expected = words / (double)EspeakSynthesizer.WordsPerMinute * 60 + 4 * SpeechChain.Pause.TotalSeconds;
        Assert.InRange(decoded.Duration.TotalSeconds, expected * 0.6, expected * 1.4);
        Assert.InRange(
            speech.Audio.DurationMs / 1000.0,
            decoded.Duration.TotalSeconds - 0.3,
            decoded.Duration.TotalSeconds + 0.3
        );
        // Timings run in order, each sentence after the one before, and end within the file.
        for (var i = 1; i < speech.Sentences.Count; i++)
        {
            Assert.True(speech.Sentences[i].StartMs >= speech.Sentences[i - 1].EndMs);
            Assert.True(speech.Sentences[i].EndMs > speech.Sentences[i].StartMs);
        }
        Assert.True(speech.Sentences[^1].EndMs <= decoded.Duration.TotalMilliseconds + 100);
    }

    [Fact]
    public async Task a_slower_speed_makes_longer_audio()
    {
        var chain = Chain(Options());
        var normal = await chain.RenderAsync(Passage, "en-gb", 1.0, CancellationToken.None);
        var slow = await chain.RenderAsync(Passage, "en-gb", 0.6, CancellationToken.None);
        Assert.Equal("en-gb", normal.Voice);
        Assert.True(slow.Audio.DurationMs > normal.Audio.DurationMs * 1.3);
    }

    [Fact]
    public void sentences_split_after_their_end_marks_and_closing_quotes()
    {
        Assert.Equal(
            ["Hello there.", "Why?", "\"Because,\" said the owl.", "\"Sleep now.\"", "The end…", "Goodnight."],
            SpeechChain.Sentences("Hello there.  Why? \"Because,\" said the owl. \"Sleep now.\"\nThe end… Goodnight.")
        );
    }

    [Fact]
    public async Task openai_speech_backend_sends_model_voice_speed_and_text_and_reads_its_wav()
    {
        await using var server = await SpeechServer.StartAsync(fail: false);
        var options = Options();
        var backend = new OpenAISpeechSynthesizer(
            new SpeechBackendOptions
            {
                Name = "kokoro",
                BaseUrl = server.BaseUrl + "/v1",
                Model = "kokoro",
                ApiKey = "sk-test-123",
                DefaultVoice = "af_sky",
            },
            new HttpClient()
        );
        var speech = await Chain(options, backend)
            .RenderAsync("Goodnight moon. Goodnight stars.", "af_bella", 0.9, CancellationToken.None);

        Assert.Equal("kokoro", speech.Backend);
        Assert.Equal("af_bella", speech.Voice);
        Assert.Equal(2, server.Bodies.Count);
        var inputs = server.Bodies.Select(b => b["input"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["Goodnight moon.", "Goodnight stars."], inputs);
        foreach (var body in server.Bodies)
        {
            Assert.Equal("kokoro", body["model"]!.GetValue<string>());
            Assert.Equal("af_bella", body["voice"]!.GetValue<string>());
            Assert.Equal("wav", body["response_format"]!.GetValue<string>());
            Assert.Equal(0.9, body["speed"]!.GetValue<double>(), 3);
        }
        Assert.All(server.Authorizations, a => Assert.Equal("Bearer sk-test-123", a));
        // Each sentence is one second of tone from the test server, plus the pause after it.
        var decoded = await Mp3Decoder.DecodeAsync(speech.Audio.Data);
        Assert.InRange(decoded.Duration.TotalSeconds, 2.5, 3.0);
        Assert.Equal(1000, speech.Sentences[0].EndMs - speech.Sentences[0].StartMs);
    }

    [Fact]
    public async Task a_failing_speech_backend_falls_back_to_espeak_and_is_skipped_while_it_cools_down()
    {
        await using var server = await SpeechServer.StartAsync(fail: true);
        var options = Options();
        var broken = new OpenAISpeechSynthesizer(
            new SpeechBackendOptions { Name = "remote", BaseUrl = server.BaseUrl + "/v1" },
            new HttpClient()
        );
        var chain = Chain(options, broken);

        var first = await chain.RenderAsync("The moon is round.", null, 1.0, CancellationToken.None);
        Assert.Equal("espeak", first.Backend);
        Assert.Equal("en-us", first.Voice); // the remote voice "alloy" is not espeak-ng's: its default speaks
        Assert.Contains(chain.Health(), h => h is { Name: "remote", Healthy: false });
        var calls = server.Bodies.Count;

        var second = await chain.RenderAsync("The stars are bright.", null, 1.0, CancellationToken.None);
        Assert.Equal("espeak", second.Backend);
        Assert.Equal(calls, server.Bodies.Count); // cooling down: not asked again
        Assert.True((await Mp3Decoder.DecodeAsync(second.Audio.Data)).Duration > TimeSpan.FromSeconds(0.5));
    }

    /// <summary>An OpenAI-compatible speech server inside the test: it keeps each request body and answers one
    /// second of a 440 Hz tone as WAV at 24 kHz, or HTTP 500.</summary>
    private sealed class SpeechServer : IAsyncDisposable
    {
        private WebApplication _app = null!;

        public string BaseUrl { get; private set; } = "";

        public System.Collections.Concurrent.ConcurrentBag<JsonObject> Bodies { get; } = [];

        public System.Collections.Concurrent.ConcurrentBag<string> Authorizations { get; } = [];

        public static async Task<SpeechServer> StartAsync(bool fail)
        {
            var server = new SpeechServer();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            server._app = builder.Build();
            server._app.MapPost("/v1/audio/speech", async (HttpContext context) =>
            {
                server.Bodies.Add((await JsonNode.ParseAsync(context.Request.Body))!.AsObject());
                server.Authorizations.Add(context.Request.Headers.Authorization.ToString());
                if (fail)
                {
                    return Results.StatusCode(500);
                }
                return Results.Bytes(Wav.Write(Tone(24_000, 1.0)), "audio/wav");
            });
            await server._app.StartAsync();
            server.BaseUrl = server
                ._app.Services.GetRequiredService<IServer>()
                .Features.Get<IServerAddressesFeature>()!
                .Addresses.First();
            return server;
        }

        private static PcmAudio Tone(int rate, double seconds)
        {
            var samples = new byte[(int)(rate * seconds) * 2];
            for (var i = 0; i < samples.Length / 2; i++)
            {
                var value = (short)(Math.Sin(2 * Math.PI * 440 * i / rate) * 8000);
                System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(samples.AsSpan(i * 2), value);
            }
            return new PcmAudio(rate, samples);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
