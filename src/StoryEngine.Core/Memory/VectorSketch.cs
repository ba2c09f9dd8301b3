using System.Numerics;
using System.Numerics.Tensors;

namespace StoryEngine.Core.Memory;

/// <summary>
/// A one-bit-per-dimension sketch of a large set of unit vectors, for similarity search that need not read every float
/// (docs/adr/0060-bounded-knowledge-search.md). Each vector keeps, per dimension, whether it lies above the set's mean
/// there; the Hamming distance between sketches picks a shortlist, and exact dot products order it. Reading 48 bytes a
/// row instead of 1,536 is what makes a 100,000-passage world searchable within a turn's budget; the shortlist is
/// what keeps the answer the exact one whenever the nearest rows are close in the sketch too, as real embeddings are.
/// </summary>
public sealed class VectorSketch
{
    private readonly float[] _mean;
    private readonly ulong[] _bits;
    private readonly int _words;

    private VectorSketch(float[] mean, ulong[] bits, int words)
    {
        _mean = mean;
        _bits = bits;
        _words = words;
    }

    public static VectorSketch Build(float[] matrix, int dimensions)
    {
        var rows = matrix.Length / dimensions;
        var mean = new float[dimensions];
        for (var r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(mean, matrix.AsSpan(r * dimensions, dimensions), mean);
        }
        TensorPrimitives.Divide(mean, Math.Max(rows, 1), mean);
        var words = (dimensions + 63) / 64;
        var bits = new ulong[rows * words];
        for (var r = 0; r < rows; r++)
        {
            Sign(matrix.AsSpan(r * dimensions, dimensions), mean, bits.AsSpan(r * words, words));
        }
        return new VectorSketch(mean, bits, words);
    }

    /// <summary>The <paramref name="count"/> rows most similar to <paramref name="query"/> among the <paramref
    /// name="shortlist"/> closest in the sketch, best first.</summary>
    public IReadOnlyList<(int Row, float Similarity)> Nearest(
        float[] matrix,
        ReadOnlySpan<float> query,
        int count,
        int shortlist
    )
    {
        var dimensions = _mean.Length;
        var rows = _bits.Length / _words;
        if (rows == 0 || count <= 0 || query.Length != dimensions)
        {
            return [];
        }
        Span<ulong> sketch = stackalloc ulong[_words];
        Sign(query, _mean, sketch);
        var distances = new ushort[rows];
        var histogram = new int[dimensions + 1];
        for (var r = 0; r < rows; r++)
        {
            var row = _bits.AsSpan(r * _words, _words);
            var distance = 0;
            for (var w = 0; w < row.Length; w++)
            {
                distance += BitOperations.PopCount(row[w] ^ sketch[w]);
            }
            distances[r] = (ushort)distance;
            histogram[distance]++;
        }
        // The distance within which the shortlist fills, found by counting rather than sorting every row: every row
        // nearer than it is read, and rows at it until the shortlist is full.
        var wanted = Math.Max(shortlist, count);
        var cutoff = 0;
        var nearer = 0;
        while (cutoff < dimensions && nearer + histogram[cutoff] < wanted)
        {
            nearer += histogram[cutoff++];
        }
        var atCutoff = wanted - nearer;
        var best = new PriorityQueue<int, float>(count + 1);
        for (var r = 0; r < rows; r++)
        {
            if (distances[r] > cutoff || (distances[r] == cutoff && atCutoff-- <= 0))
            {
                continue;
            }
            var similarity = TensorPrimitives.Dot(matrix.AsSpan(r * dimensions, dimensions), query);
            if (best.Count < count)
            {
                best.Enqueue(r, similarity);
            }
            else if (best.TryPeek(out _, out var worst) && similarity > worst)
            {
                best.EnqueueDequeue(r, similarity);
            }
        }
        var result = new List<(int, float)>(best.Count);
        while (best.TryDequeue(out var row, out var similarity))
        {
            result.Add((row, similarity));
        }
        result.Reverse();
        return result;
    }

    private static void Sign(ReadOnlySpan<float> vector, ReadOnlySpan<float> mean, Span<ulong> bits)
    {
        bits.Clear();
        for (var d = 0; d < vector.Length; d++)
        {
            if (vector[d] > mean[d])
            {
                bits[d >> 6] |= 1UL << (d & 63);
            }
        }
    }
}
