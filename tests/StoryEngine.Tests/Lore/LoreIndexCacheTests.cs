using StoryEngine.Core.Lore;
using StoryEngine.Core.Lore.Activation;
using static StoryEngine.Tests.Lore.LoreTestBooks;

namespace StoryEngine.Tests.Lore;

/// <summary>Issue 14: compiled books live in an injected, bounded cache instead of a static one.</summary>
public sealed class LoreIndexCacheTests
{
    [Fact]
    public void an_edited_book_is_compiled_again_and_replaces_its_old_version()
    {
        var indexes = new LoreIndexCache();
        var first = Book(Entry(1, "A dragon sleeps under the hill.", "dragon"));
        var edited = first with
        {
            Version = 2,
            Book = first.Book with { Entries = [Entry(1, "The castle is empty.", "castle")] },
        };

        Assert.Equal([1], LoreActivation.Activate(Request([first], "I look for the dragon"), indexes).FiredIds());
        Assert.Empty(LoreActivation.Activate(Request([edited], "I look for the dragon"), indexes).FiredIds());
        Assert.Equal([1], LoreActivation.Activate(Request([edited], "I walk to the castle"), indexes).FiredIds());
        Assert.Equal(1, indexes.Count);
    }

    [Fact]
    public void the_cache_never_holds_more_books_than_its_capacity()
    {
        var indexes = new LoreIndexCache(capacity: 2);
        var books = Enumerable.Range(0, 5).Select(_ => Book(Entry(1, "A dragon.", "dragon"))).ToArray();

        foreach (var book in books)
        {
            Assert.Equal([1], LoreActivation.Activate(Request([book], "the dragon"), indexes).FiredIds());
        }

        Assert.Equal(2, indexes.Count);
    }
}
