using StoryEngine.Core.Memory;
using StoryEngine.Providers.Embeddings;

namespace StoryEngine.Tests.Knowledge;

/// <summary>The packaged all-MiniLM-L6-v2 model, for real (loaded once for the whole test process).</summary>
public sealed class LocalEmbeddingTests
{
    [Fact]
    public async Task semantic_neighbours_rank_above_unrelated_text()
    {
        using var generator = new LocalEmbeddingGenerator(batchSize: 2);
        var texts = new[]
        {
            "The knight drew his sword and charged the dragon.",
            "The recipe needs two cups of flour and an egg.",
            "A warrior attacked the great wyrm with his blade.",
            "Interest rates rose at the central bank this quarter.",
        };

        var vectors = (await generator.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToArray();

        Assert.All(vectors, v => Assert.Equal(LocalEmbeddingModel.Dimensions, v.Length));
        var matrix = vectors.Skip(1).SelectMany(v => VectorMath.Normalized(v)).ToArray();
        var nearest = VectorMath.Nearest(matrix, 384, VectorMath.Normalized(vectors[0]), 3);
        Assert.Equal(1, nearest[0].Row); // the warrior and the wyrm, though no word is shared
        Assert.True(nearest[0].Similarity > 0.35, $"similarity {nearest[0].Similarity}");
        Assert.True(nearest[1].Similarity < 0.15, $"unrelated similarity {nearest[1].Similarity}");
        Assert.True(LocalEmbeddingModel.IsLoaded);
    }

    [Fact]
    public async Task the_same_text_embeds_to_the_same_vector_in_any_batch()
    {
        using var generator = new LocalEmbeddingGenerator(batchSize: 3);
        var alone = (await generator.GenerateAsync(["The tide comes in at moonrise."]))[0].Vector.ToArray();
        var batched = await generator.GenerateAsync(["Something else entirely.", "The tide comes in at moonrise.", ""]);

        Assert.Equal(3, batched.Count);
        var similarity = VectorMath
            .Normalized(alone)
            .Zip(VectorMath.Normalized(batched[1].Vector.Span))
            .Sum(p => p.First * p.Second);
        Assert.True(similarity > 0.99, $"similarity {similarity}");
        Assert.Equal(LocalEmbeddingModel.Name, batched[1].ModelId);
    }
}
