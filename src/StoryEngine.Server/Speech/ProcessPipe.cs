using System.Diagnostics;

namespace StoryEngine.Server.Speech;

/// <summary>A program exited with a failure.</summary>
public sealed class ProcessFailedException(string message) : Exception(message);

/// <summary>Runs a program with bytes on its standard input and returns its standard output, reading and writing at
/// once so neither pipe fills up and blocks the other.</summary>
public static class ProcessPipe
{
    public static async Task<byte[]> RunAsync(ProcessStartInfo start, byte[] input, CancellationToken cancellationToken)
    {
        using var process = Process.Start(start)
            ?? throw new ProcessFailedException($"{start.FileName} could not be started.");
        try
        {
            using var output = new MemoryStream();
            var reading = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken);
            process.StandardInput.Close();
            await reading;
            var error = await errors;
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                var detail = error.Length <= 300 ? error : error[..300];
                throw new ProcessFailedException($"{start.FileName} exited with {process.ExitCode}: {detail.Trim()}");
            }
            return output.ToArray();
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        catch (IOException e)
        {
            throw new ProcessFailedException($"{start.FileName} closed its pipes early: {e.Message}");
        }
    }
}
