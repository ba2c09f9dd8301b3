using System.Text;
using System.Text.Json;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Usage;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Core.Bedtime;

/// <summary>
/// Bedtime stories: asking for one (validated, guarded, within quota; the writing runs as a job), and the library
/// (read, rename, favourite, trash, restore, delete for good, "another one like this").
/// </summary>
public sealed class BedtimeService(
    IBedtimeStore store,
    IJobQueue queue,
    UsageMeter usage,
    IResourceStore<World> worlds,
    IResourceStore<Character> characters,
    TimeProvider clock
)
{
    public const int MinMinutes = 1;
    public const int MaxMinutes = 30;
    public const int MaxCharacters = 5;

    /// <summary>How many chapters a story of <paramref name="minutes"/> gets: about two and a half minutes each.
    /// </summary>
    public static int ChaptersFor(int minutes) => Math.Clamp((int)Math.Ceiling(minutes / 2.5), 1, 12);

    /// <summary>Checks and stores a request and queues its writing; the story comes back in <c>writing</c>.</summary>
    public async Task<BedtimeStory> CreateAsync(
        string ownerId,
        BedtimeRequest request,
        CancellationToken cancellationToken
    )
    {
        request = await ValidateAsync(ownerId, request, cancellationToken);
        var chapters = ChaptersFor(request.Minutes);
        // Reserve what the chapters may write (and their guard checks), as a turn reserves its reply.
        await usage.EnsureWithinQuotaAsync(ownerId, chapters * 1200L, cancellationToken);
        var now = clock.GetUtcNow();
        var title = request.ChildName is { Length: > 0 } child
            ? $"{child} and {Short(request.Theme)}"
            : $"A story of {Short(request.Theme)}";
        var story = new BedtimeStory(
            Ids.New(),
            ownerId,
            title,
            request,
            BedtimeStatus.Writing,
            chapters,
            false,
            null,
            null,
            now,
            now,
            null,
            []
        );
        await store.CreateAsync(story, cancellationToken);
        var jobId = await queue.EnqueueAsync(
            new JobRequest(
                BedtimeWriter.JobType,
                JsonSerializer.Serialize(new BedtimeWriter.Payload(story.Id), JsonSerializerOptions.Web),
                ownerId,
                Priority: JobPriority.Critical
            ),
            cancellationToken
        );
        await store.SetJobAsync(story.Id, jobId, cancellationToken);
        return story with { JobId = jobId };
    }

    /// <summary>A new story from the same request as <paramref name="id"/> (a new one is written, not a copy).
    /// </summary>
    public async Task<BedtimeStory> AnotherLikeAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        var story = await GetAsync(ownerId, id, cancellationToken);
        return await CreateAsync(ownerId, story.Request with { Cast = "" }, cancellationToken);
    }

    public async Task<BedtimeStory> GetAsync(
        string ownerId,
        string id,
        CancellationToken cancellationToken,
        bool trashed = false
    )
    {
        var story = id.Length <= 100 ? await store.GetAsync(ownerId, id, cancellationToken) : null;
        return story is not null && (story.DeletedAt is not null) == trashed
            ? story
            : throw new NotFoundException("bedtime story", id);
    }

    public async Task<BedtimeStory> UpdateAsync(
        string ownerId,
        string id,
        string? title,
        bool? favourite,
        CancellationToken cancellationToken
    )
    {
        if (title is not null)
        {
            var errors = new FieldErrors();
            errors.Required("title", title, Limits.Name);
            errors.ThrowIfAny();
        }
        if (!await store.UpdateAsync(ownerId, id, title?.Trim(), favourite, cancellationToken))
        {
            throw new NotFoundException("bedtime story", id);
        }
        return await GetAsync(ownerId, id, cancellationToken);
    }

    public async Task TrashAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        if (!await store.SetDeletedAsync(ownerId, id, clock.GetUtcNow(), cancellationToken))
        {
            throw new NotFoundException("bedtime story", id);
        }
    }

    public async Task<BedtimeStory> RestoreAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        await TrashedAsync(ownerId, id, cancellationToken);
        await store.SetDeletedAsync(ownerId, id, null, cancellationToken);
        return await GetAsync(ownerId, id, cancellationToken);
    }

    /// <summary>Deletes a trashed story for good, with its audio.</summary>
    public async Task PurgeAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        await TrashedAsync(ownerId, id, cancellationToken);
        await store.PurgeAsync(ownerId, id, cancellationToken);
    }

    // As the trash of world data answers: a live story is there, but not in the trash (409 not_deleted).
    private async Task TrashedAsync(string ownerId, string id, CancellationToken cancellationToken)
    {
        var story = id.Length <= 100 ? await store.GetAsync(ownerId, id, cancellationToken) : null;
        if (story is null)
        {
            throw new NotFoundException("bedtime story", id);
        }
        if (story.DeletedAt is null)
        {
            throw new ConflictException($"The bedtime story '{id}' is not in the trash.", "not_deleted");
        }
    }

    private async Task<BedtimeRequest> ValidateAsync(
        string ownerId,
        BedtimeRequest request,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        errors.MaxLength("childName", request.ChildName, 60);
        var band = AgeBands.Normalize(request.AgeBand);
        if (band is null)
        {
            errors.Add("ageBand", $"ageBand must be one of {string.Join(", ", AgeBands.All)}.");
        }
        errors.Required("theme", request.Theme, 200);
        if (request.Minutes is < MinMinutes or > MaxMinutes)
        {
            errors.Add("minutes", $"minutes must be from {MinMinutes} to {MaxMinutes}.");
        }
        errors.MaxLength("lesson", request.Lesson, 200);
        var language = string.IsNullOrWhiteSpace(request.Language) ? "en" : request.Language.Trim();
        if (!System.Text.RegularExpressions.Regex.IsMatch(language, "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"))
        {
            errors.Add("language", "language must be a language code such as en, fr or pt-BR.");
        }
        if (
            request.Voice is { } voice
            && !System.Text.RegularExpressions.Regex.IsMatch(voice, "^[A-Za-z0-9_.+-]{1,64}$")
        )
        {
            errors.Add("voice", "voice must be a voice name of letters, digits, '.', '_', '+' or '-'.");
        }
        var ids = request.CharacterIds ?? [];
        if (ids.Count > MaxCharacters)
        {
            errors.Add("characterIds", $"characterIds may name at most {MaxCharacters} characters.");
        }
        if (ids.Count > 0 && string.IsNullOrWhiteSpace(request.WorldId))
        {
            errors.Add("worldId", "worldId is required with characterIds: characters belong to a world.");
        }
        errors.ThrowIfAny();
        request = request with
        {
            ChildName = string.IsNullOrWhiteSpace(request.ChildName) ? null : request.ChildName.Trim(),
            AgeBand = band!,
            Theme = request.Theme.Trim(),
            Lesson = string.IsNullOrWhiteSpace(request.Lesson) ? null : request.Lesson.Trim(),
            Language = language,
            CharacterIds = ids.Distinct(StringComparer.Ordinal).ToArray(),
        };
        var asked = string.Join(" ", request.ChildName, request.Theme, request.Lesson);
        if (ContentGuard.WordProblems(asked, request.AgeBand) is { Count: > 0 } problems)
        {
            throw new BedtimeRefusedException(
                $"This is not something to write a bedtime story about for ages {request.AgeBand}: "
                    + string.Join("; ", problems)
                    + "."
            );
        }
        return await WithCastAsync(ownerId, request, cancellationToken);
    }

    private async Task<BedtimeRequest> WithCastAsync(
        string ownerId,
        BedtimeRequest request,
        CancellationToken cancellationToken
    )
    {
        if (request.WorldId is not { Length: > 0 } worldId)
        {
            return request;
        }
        var world = await worlds.GetAsync(new ResourceScope(ownerId, null), worldId, cancellationToken);
        if (world is not { DeletedAt: null })
        {
            throw ValidationFailedException.For("worldId", $"There is no world with id '{worldId}'.");
        }
        var cast = new StringBuilder($"It takes place in {world.Body.Name}: {Short(world.Body.Description, 600)}\n");
        string? voice = null;
        foreach (var id in request.CharacterIds)
        {
            var character = await characters.GetAsync(new ResourceScope(ownerId, worldId), id, cancellationToken);
            if (character is not { DeletedAt: null })
            {
                throw ValidationFailedException.For("characterIds", $"There is no character with id '{id}' in it.");
            }
            cast.Append($"With {character.Body.Name}: {Short(character.Body.Description, 400)}\n");
            voice ??= character.Body.Voice is { Length: > 0 } v ? v : null;
        }
        // The story is told in the voice asked for, else in its first character's voice.
        return request with { Cast = cast.ToString(), Voice = request.Voice ?? voice };
    }

    private static string Short(string text, int max = 60) => text.Length <= max ? text : text[..max].TrimEnd() + "…";
}
