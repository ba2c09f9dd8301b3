namespace StoryEngine.Core.Bedtime;

/// <summary>A page of the library: newest first, or only favourites, one child's, or matching words.</summary>
public sealed record BedtimeListQuery(
    string OwnerId,
    string? Text,
    bool? Favourite,
    string? ChildName,
    bool Trashed,
    int Limit,
    string? AfterId
);

/// <summary>Bedtime stories and their chapters (tables <c>bedtime_stories</c>, <c>bedtime_chapters</c>).</summary>
public interface IBedtimeStore
{
    Task CreateAsync(BedtimeStory story, CancellationToken cancellationToken);

    /// <summary>The story with its chapters and their audio (without bytes); trashed ones too.</summary>
    Task<BedtimeStory?> GetAsync(string ownerId, string id, CancellationToken cancellationToken);

    /// <summary>Stories without their chapters.</summary>
    Task<IReadOnlyList<BedtimeStory>> ListAsync(BedtimeListQuery query, CancellationToken cancellationToken);

    /// <summary>Adds a chapter; false when that chapter is already there (a retried job).</summary>
    Task<bool> AddChapterAsync(string ownerId, string storyId, BedtimeChapter chapter, CancellationToken ct);

    /// <summary>Moves the story to <paramref name="status"/> when it is now in one of <paramref name="from"/>.
    /// </summary>
    Task<bool> SetStatusAsync(
        string storyId,
        string status,
        string? error,
        IReadOnlyList<string> from,
        CancellationToken cancellationToken
    );

    Task SetJobAsync(string storyId, string jobId, CancellationToken cancellationToken);

    /// <summary>Changes the title and/or favourite mark; false when there is no such live story.</summary>
    Task<bool> UpdateAsync(string ownerId, string id, string? title, bool? favourite, CancellationToken ct);

    /// <summary>Sets or clears <c>deleted_at</c>; false when the story is not in the state to move from.</summary>
    Task<bool> SetDeletedAsync(string ownerId, string id, DateTimeOffset? deletedAt, CancellationToken ct);

    /// <summary>Deletes the story, its chapters and their audio.</summary>
    Task PurgeAsync(string ownerId, string id, CancellationToken cancellationToken);

    /// <summary>Deletes stories trashed before <paramref name="before"/> with their audio; how many went.</summary>
    Task<int> PurgeTrashedAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
