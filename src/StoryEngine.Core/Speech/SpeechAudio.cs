using System.Buffers.Binary;

namespace StoryEngine.Core.Speech;

/// <summary>What a synthesizer is asked to say: plain text (no SSML), a voice name the backend knows (null: its
/// default) and a speed (1 = the backend's normal pace).</summary>
public sealed record SpeechRequest(string Text, string? Voice, double Speed = 1.0, string? Language = null);

/// <summary>Mono 16-bit little-endian PCM at <see cref="SampleRate"/>: what every backend is turned into before it is
/// joined and encoded.</summary>
public sealed record PcmAudio(int SampleRate, byte[] Samples)
{
    public int SampleCount => Samples.Length / 2;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)SampleCount / SampleRate);

    public static PcmAudio Silence(int sampleRate, TimeSpan length) =>
        new(sampleRate, new byte[(int)(sampleRate * length.TotalSeconds) * 2]);
}

/// <summary>One sentence's place in an audio file, for read-along highlighting.</summary>
public sealed record SentenceTiming(int Index, string Text, int StartMs, int EndMs);

/// <summary>Encoded audio with what a player needs to know about it.</summary>
public sealed record EncodedAudio(string MediaType, byte[] Data, int DurationMs);

/// <summary>A passage made audible: the encoded file, its sentence timings and who spoke it.</summary>
public sealed record RenderedSpeech(
    EncodedAudio Audio,
    IReadOnlyList<SentenceTiming> Sentences,
    string Backend,
    string Voice
);

/// <summary>
/// Reads the WAV files speech backends answer with (espeak-ng's <c>--stdout</c>, OpenAI's <c>response_format:
/// wav</c>). Streamed WAVs carry a placeholder length (0xFFFFFFFF or 0x7FFFF000), so the data chunk runs to the end
/// of the bytes when its stated length is too long. Only PCM 16-bit is accepted; stereo is mixed down to mono.
/// A RIFF header is 12 bytes and two chunks: the format is fixed and small enough that a package would add nothing
/// (docs/adr/0055-speech-as-mp3.md).
/// </summary>
public static class Wav
{
    public static PcmAudio Read(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("The speech backend's answer is not a WAV file.");
        }
        int? channels = null;
        int? rate = null;
        var position = 12;
        while (position + 8 <= wav.Length)
        {
            var id = wav.Slice(position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(wav.Slice(position + 4, 4));
            var body = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                var format = BinaryPrimitives.ReadUInt16LittleEndian(wav.Slice(body, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(wav.Slice(body + 2, 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(wav.Slice(body + 4, 4));
                var bits = BinaryPrimitives.ReadUInt16LittleEndian(wav.Slice(body + 14, 2));
                if ((format != 1 && format != 0xFFFE) || bits != 16 || channels is < 1 or > 2)
                {
                    throw new InvalidDataException(
                        $"The speech backend's WAV is not 16-bit PCM (format {format}, {bits} bits, {channels} ch)."
                    );
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (rate is null || channels is null)
                {
                    throw new InvalidDataException("The speech backend's WAV has data before its format.");
                }
                var length = (int)Math.Min(size, (uint)(wav.Length - body));
                var data = wav.Slice(body, length - length % (2 * channels.Value));
                return new PcmAudio(rate.Value, channels == 1 ? data.ToArray() : MixDown(data));
            }
            position = body + (int)Math.Min(size + (size & 1), (uint)(wav.Length - body));
        }
        throw new InvalidDataException("The speech backend's WAV has no data chunk.");
    }

    /// <summary>A WAV file of <paramref name="audio"/> (tests and the bench write them).</summary>
    public static byte[] Write(PcmAudio audio)
    {
        var bytes = new byte[44 + audio.Samples.Length];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + audio.Samples.Length);
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], audio.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], audio.SampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], audio.Samples.Length);
        audio.Samples.CopyTo(span[44..]);
        return bytes;
    }

    private static byte[] MixDown(ReadOnlySpan<byte> stereo)
    {
        var mono = new byte[stereo.Length / 2];
        for (int i = 0, o = 0; i + 3 < stereo.Length; i += 4, o += 2)
        {
            var left = BinaryPrimitives.ReadInt16LittleEndian(stereo[i..]);
            var right = BinaryPrimitives.ReadInt16LittleEndian(stereo[(i + 2)..]);
            BinaryPrimitives.WriteInt16LittleEndian(mono.AsSpan(o), (short)((left + right) / 2));
        }
        return mono;
    }
}
