using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace StoryEngine.Core.Memory;

/// <summary>Vectors are stored unit-length, so cosine similarity is one dot product per row.</summary>
public static class VectorMath
{
    public static float[] Normalized(ReadOnlySpan<float> vector)
    {
        var copy = vector.ToArray();
        var norm = TensorPrimitives.Norm(copy);
        if (norm > 0)
        {
            TensorPrimitives.Divide(copy, norm, copy);
        }
        return copy;
    }

    public static byte[] ToBytes(float[] vector) => MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();

    public static float[] FromBytes(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).ToArray();

    /// <summary>The <paramref name="count"/> rows most similar to <paramref name="query"/>, best first (exact: every
    /// row is scored).</summary>
    public static IReadOnlyList<(int Row, float Similarity)> Nearest(
        float[] matrix,
        int dimensions,
        ReadOnlySpan<float> query,
        int count
    )
    {
        var rows = dimensions == 0 ? 0 : matrix.Length / dimensions;
        if (rows == 0 || count <= 0 || query.Length != dimensions)
        {
            return [];
        }
        var scores = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            scores[r] = TensorPrimitives.Dot(matrix.AsSpan(r * dimensions, dimensions), query);
        }
        // A bounded selection keeps this O(rows · log count) instead of sorting every row.
        var best = new PriorityQueue<int, float>(count + 1);
        for (var r = 0; r < rows; r++)
        {
            if (best.Count < count)
            {
                best.Enqueue(r, scores[r]);
            }
            else if (best.TryPeek(out _, out var worst) && scores[r] > worst)
            {
                best.EnqueueDequeue(r, scores[r]);
            }
        }
        var result = new List<(int, float)>(best.Count);
        while (best.TryDequeue(out var row, out var score))
        {
            result.Add((row, score));
        }
        result.Reverse();
        return result;
    }
}
