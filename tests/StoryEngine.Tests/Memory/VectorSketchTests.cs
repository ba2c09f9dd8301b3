using StoryEngine.Core.Memory;

namespace StoryEngine.Tests.Memory;

/// <summary>
/// The one-bit sketch that large worlds' similarity search reads first (ADR 60): on vectors with structure, as real
/// embeddings have, its shortlist holds the exact nearest rows, and a shortlist as long as the set is exact search.
/// </summary>
public sealed class VectorSketchTests
{
    private const int Dimensions = 384;

    [Fact]
    public void on_clustered_vectors_a_two_percent_shortlist_finds_the_exact_nearest_ten()
    {
        var random = new Random(7);
        var matrix = Clustered(random, rows: 10_000, clusters: 100);
        var sketch = VectorSketch.Build(matrix, Dimensions);

        for (var q = 0; q < 20; q++)
        {
            var query = Near(random, matrix, q * 499);
            var exact = VectorMath.Nearest(matrix, Dimensions, query, 10);
            var sketched = sketch.Nearest(matrix, query, 10, shortlist: 200);
            Assert.Equal(exact.Select(h => h.Row), sketched.Select(h => h.Row));
            Assert.Equal(exact.Select(h => h.Similarity), sketched.Select(h => h.Similarity));
        }
    }

    [Fact]
    public void a_shortlist_as_long_as_the_set_is_exact_search_even_on_random_vectors()
    {
        var random = new Random(11);
        var matrix = Unit(Enumerable.Range(0, 500 * Dimensions).Select(_ => random.NextSingle() - 0.5f).ToArray());
        var sketch = VectorSketch.Build(matrix, Dimensions);
        var query = Near(random, matrix, 42);

        Assert.Equal(
            VectorMath.Nearest(matrix, Dimensions, query, 25).Select(h => h.Row),
            sketch.Nearest(matrix, query, 25, shortlist: 500).Select(h => h.Row)
        );
        Assert.Empty(sketch.Nearest(matrix, new float[Dimensions - 1], 5, 100));
    }

    private static float[] Clustered(Random random, int rows, int clusters)
    {
        var centres = Enumerable.Range(0, clusters * Dimensions).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var matrix = new float[rows * Dimensions];
        for (var r = 0; r < rows; r++)
        {
            for (var d = 0; d < Dimensions; d++)
            {
                // Embeddings share a common direction and cluster by topic; each row is its topic plus its own noise.
                matrix[r * Dimensions + d] =
                    0.3f + 1.5f * centres[(r % clusters) * Dimensions + d] + random.NextSingle() - 0.5f;
            }
        }
        return Unit(matrix);
    }

    private static float[] Near(Random random, float[] matrix, int row)
    {
        var query = matrix
            .AsSpan(row * Dimensions, Dimensions)
            .ToArray()
            .Select(v => v + (random.NextSingle() - 0.5f) * 0.1f)
            .ToArray();
        return VectorMath.Normalized(query);
    }

    private static float[] Unit(float[] matrix)
    {
        for (var r = 0; r < matrix.Length / Dimensions; r++)
        {
            VectorMath.Normalized(matrix.AsSpan(r * Dimensions, Dimensions)).CopyTo(matrix, r * Dimensions);
        }
        return matrix;
    }
}
