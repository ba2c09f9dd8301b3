using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using StoryEngine.Core.Speech;

namespace StoryEngine.Server.Speech;

/// <summary>
/// espeak-ng (Debian's package): one process per sentence, the text on standard input (never an argument, so no text
/// is read as an option), WAV on standard output. It works offline with no setup, which is why it is every chain's
/// last backend. At most <see cref="SpeechOptions.EspeakConcurrency"/> processes run at once on the server.
/// </summary>
public sealed class EspeakSynthesizer(SpeechOptions options) : ISpeechSynthesizer, IDisposable
{
    public const string BackendName = "espeak";

    /// <summary>espeak-ng's own normal pace, in words per minute, at speed 1.</summary>
    public const int WordsPerMinute = 165;

    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.EspeakConcurrency));
    private readonly Lazy<HashSet<string>> _voices = new(() => InstalledVoices(options.EspeakPath));

    public string Name => BackendName;

    public string DefaultVoice => options.EspeakVoice;

    public string ResolveVoice(string? voice) =>
        voice is { Length: > 0 and <= 40 } && _voices.Value.Contains(voice) ? voice : DefaultVoice;

    public async Task<PcmAudio> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken)
    {
        var wpm = (int)Math.Clamp(WordsPerMinute * request.Speed, 80, 450);
        var start = new ProcessStartInfo(options.EspeakPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (
            var argument in (string[])
                [
                    "--stdout",
                    "-b",
                    "1",
                    "-v",
                    ResolveVoice(request.Voice),
                    "-s",
                    wpm.ToString(CultureInfo.InvariantCulture),
                ]
        )
        {
            start.ArgumentList.Add(argument);
        }
        await _slots.WaitAsync(cancellationToken);
        try
        {
            var output = await ProcessPipe.RunAsync(
                start,
                System.Text.Encoding.UTF8.GetBytes(request.Text + "\n"),
                cancellationToken
            );
            return Wav.Read(output);
        }
        catch (Exception e) when (e is Win32Exception or InvalidDataException or ProcessFailedException)
        {
            throw new SpeechBackendException(Name, e.Message, e);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private static HashSet<string> InstalledVoices(string program)
    {
        var voices = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var process = Process.Start(
                new ProcessStartInfo(program, "--voices") { RedirectStandardOutput = true, UseShellExecute = false }
            )!;
            var listing = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            foreach (var line in listing.Split('\n').Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length >= 4)
                {
                    voices.Add(columns[1]); // the language code, e.g. en-us; espeak-ng takes it as a voice name
                }
            }
        }
        catch (Win32Exception)
        {
            // Not installed: every voice resolves to the default and synthesis reports the missing program.
        }
        return voices;
    }
}
