using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using StoryEngine.Core.Speech;

namespace StoryEngine.Server.Speech;

/// <summary>
/// MP3 with Debian's <c>lame</c>: constant bit rate, mono, resampled to 24 kHz, no LAME/Xing tag, so every chapter is
/// the same stream of fixed-size frames and a whole story is its chapters' files one after another
/// (docs/adr/0055-speech-as-mp3.md). The duration follows from the byte count.
/// </summary>
public sealed class LameMp3Encoder(SpeechOptions options) : IAudioEncoder
{
    public const int OutputRate = 24_000;

    public string MediaType => "audio/mpeg";

    public async Task<EncodedAudio> EncodeAsync(PcmAudio audio, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(options.LamePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (
            var argument in (string[])
                [
                    "-r",
                    "-s",
                    (audio.SampleRate / 1000.0).ToString("0.###", CultureInfo.InvariantCulture),
                    "--bitwidth",
                    "16",
                    "--signed",
                    "--little-endian",
                    "-m",
                    "m",
                    "--resample",
                    "24",
                    "--cbr",
                    "-b",
                    options.BitrateKbps.ToString(CultureInfo.InvariantCulture),
                    "-t",
                    "-S",
                    "-",
                    "-",
                ]
        )
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            var mp3 = await ProcessPipe.RunAsync(start, audio.Samples, cancellationToken);
            return new EncodedAudio(MediaType, mp3, DurationMs(mp3.Length, options.BitrateKbps));
        }
        catch (Exception e) when (e is Win32Exception or ProcessFailedException)
        {
            throw new SpeechBackendException("lame", e.Message, e);
        }
    }

    /// <summary>A constant-bit-rate file's length in milliseconds.</summary>
    public static int DurationMs(long bytes, int kbps) => (int)(bytes * 8 / kbps);
}
