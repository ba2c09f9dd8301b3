using Microsoft.Extensions.AI;

namespace StoryEngine.Bench.Memory;

/// <summary>
/// NOT A MODEL. A deterministic stand-in for an embedding backend, used only by the benchmarks because no embedding
/// model can be run on this machine: each text becomes a hashed bag of its words and of their character trigrams.
/// It measures the vector path's cost honestly (same dimensions, same storage, same scan) but its "similarity" is
/// lexical, so recall quality figures for vectors and fusion say nothing about a real semantic model.
/// </summary>
internal sealed class LocalHashEmbedding(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default
    ) => Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)))));

    public float[] Embed(string text)
    {
        var vector = new float[dimensions];
        foreach (var word in text.ToLowerInvariant().Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.Length < 3)
            {
                continue;
            }
            vector[Hash(word) % (uint)dimensions] += 2;
            var padded = "^" + word + "$";
            for (var i = 0; i + 3 <= padded.Length; i++)
            {
                vector[Hash(padded.AsSpan(i, 3)) % (uint)dimensions] += 1;
            }
        }
        return vector;
    }

    private static uint Hash(ReadOnlySpan<char> text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }

    private static readonly char[] Separators = [.. " \n\t.,;:!?'\"()[]{}-".ToCharArray()];

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }
}
