using System.Diagnostics;
using StoryEngine.Core.Speech;

namespace StoryEngine.Tests.Speech;

/// <summary>Decodes MP3 with a real decoder (lame's <c>--decode</c>, from Debian's package that scripts/test.sh
/// installs), so a test measures what a player would play rather than trusting what the server says.</summary>
public static class Mp3Decoder
{
    public static async Task<PcmAudio> DecodeAsync(byte[] mp3)
    {
        var directory = Path.Combine(Path.GetTempPath(), "storyengine-tests", "mp3-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var input = Path.Combine(directory, "in.mp3");
            var output = Path.Combine(directory, "out.wav");
            await File.WriteAllBytesAsync(input, mp3);
            var start = new ProcessStartInfo("lame") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "--quiet", "--decode", input, output })
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"lame --decode failed: {errors}");
            return Wav.Read(await File.ReadAllBytesAsync(output));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
