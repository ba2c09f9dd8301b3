using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Scenarios;

/// <summary>The adventures that play a scenario, found in the story logs (issue 24: statistics come from there, not
/// from a second counter).</summary>
public interface IScenarioPlayIndex
{
    Task<IReadOnlyList<string>> AdventuresPlayingAsync(
        string ownerId,
        string scenarioId,
        CancellationToken cancellationToken
    );
}

/// <summary>A share link with a password, opened without it or with a wrong one (401).</summary>
public sealed class SharePasswordException(string message) : StoryEngineException(ProblemCode, message)
{
    public const string ProblemCode = "share_password_required";
}

/// <summary>A share link that expired or was revoked (410).</summary>
public sealed class ShareGoneException(string message) : StoryEngineException(ProblemCode, message)
{
    public const string ProblemCode = "share_link_gone";
}

/// <summary>Statistics of a scenario from its adventures' logs: plays, completions, endings reached, and where
/// unfinished stories stand (drop-off per scene).</summary>
public sealed record ScenarioStats(
    int Plays,
    int Completions,
    IReadOnlyDictionary<string, int> Endings,
    IReadOnlyDictionary<string, int> StoppedAt
);

/// <summary>
/// What a scenario has beyond the shared CRUD (issue 24): validation, publishing, its versions (list, get, diff,
/// restore as newest), cloning, share links and statistics.
/// </summary>
public sealed partial class ScenarioService(
    ResourceService<Scenario> resources,
    IScenarioVersionStore versions,
    IScenarioShareStore shares,
    IScenarioPlayIndex plays,
    ScenarioPositions positions,
    PasswordHashing hashing,
    TimeProvider clock,
    ILogger<ScenarioService> logger
)
{
    public const int MaxShareHours = 24 * 365;

    public async Task<IReadOnlyList<ScenarioFinding>> ValidateAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    ) => ScenarioValidator.Validate((await resources.GetAsync(scope, id, cancellationToken)).Body);

    /// <summary>Marks the scenario published, refusing it while validation finds errors.</summary>
    public async Task<StoredResource<Scenario>> PublishAsync(
        ResourceScope scope,
        string id,
        bool published,
        long? expectedVersion,
        CancellationToken cancellationToken
    )
    {
        var current = await resources.GetAsync(scope, id, cancellationToken);
        if (published)
        {
            var findings = ScenarioValidator.Validate(current.Body);
            if (ScenarioValidator.HasErrors(findings))
            {
                throw new ScenarioHasErrorsException(findings);
            }
        }
        return await resources.ReplaceAsync(
            scope,
            id,
            current.Body with
            {
                Published = published,
            },
            expectedVersion ?? current.Version,
            cancellationToken
        );
    }

    public async Task<IReadOnlyList<ScenarioVersion>> ListVersionsAsync(
        ResourceScope scope,
        string id,
        int? before,
        int limit,
        CancellationToken cancellationToken
    )
    {
        await resources.GetAsync(scope, id, cancellationToken);
        return await versions.ListAsync(scope.OwnerId, id, before, limit, cancellationToken);
    }

    public async Task<ScenarioVersion> GetVersionAsync(
        ResourceScope scope,
        string id,
        int number,
        CancellationToken cancellationToken
    )
    {
        await resources.GetAsync(scope, id, cancellationToken);
        return await versions.GetAsync(scope.OwnerId, id, number, cancellationToken)
            ?? throw new NotFoundException("scenario version", $"{id}/{number}");
    }

    public async Task<ScenarioDiff> DiffAsync(
        ResourceScope scope,
        string id,
        int? from,
        int? to,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        if (from is null or < 1)
        {
            errors.Add("from", "from is required: a version number (1 or more).");
        }
        if (to is null or < 1)
        {
            errors.Add("to", "to is required: a version number (1 or more).");
        }
        errors.ThrowIfAny();
        var before = await GetVersionAsync(scope, id, from!.Value, cancellationToken);
        var after = await GetVersionAsync(scope, id, to!.Value, cancellationToken);
        return ScenarioDiff.Between(before.Number, before.Body, after.Number, after.Body);
    }

    /// <summary>Makes version <paramref name="number"/>'s content the newest version (a draft again); history is
    /// kept.</summary>
    public async Task<StoredResource<Scenario>> RestoreVersionAsync(
        ResourceScope scope,
        string id,
        int number,
        long? expectedVersion,
        CancellationToken cancellationToken
    )
    {
        var version = await GetVersionAsync(scope, id, number, cancellationToken);
        return await resources.ReplaceAsync(
            scope,
            id,
            version.Body with
            {
                Published = false,
            },
            expectedVersion,
            cancellationToken
        );
    }

    /// <summary>A copy in <paramref name="worldId"/> (the same world when null), unpublished and not a
    /// template.</summary>
    public async Task<StoredResource<Scenario>> CloneAsync(
        ResourceScope scope,
        string id,
        string? worldId,
        string? name,
        CancellationToken cancellationToken
    )
    {
        var source = await resources.GetAsync(scope, id, cancellationToken);
        return await CopyAsync(scope.OwnerId, source.Body, worldId ?? scope.ParentId!, name, cancellationToken);
    }

    public async Task<StoredResource<Scenario>> CopyAsync(
        string ownerId,
        Scenario body,
        string worldId,
        string? name,
        CancellationToken cancellationToken
    )
    {
        var copyName = string.IsNullOrWhiteSpace(name) ? Trim($"{body.Name} (copy)") : name.Trim();
        return await resources.CreateAsync(
            new ResourceScope(ownerId, worldId),
            body with
            {
                Name = copyName,
                Published = false,
                Template = false,
            },
            cancellationToken
        );
    }

    public async Task<(ScenarioShare Share, string Token)> ShareAsync(
        ResourceScope scope,
        string id,
        string? password,
        int? expiresInHours,
        CancellationToken cancellationToken
    )
    {
        var errors = new FieldErrors();
        if (expiresInHours is < 1 or > MaxShareHours)
        {
            errors.Add("expiresInHours", $"expiresInHours must be between 1 and {MaxShareHours}.");
        }
        if (password is { Length: > 0 and < 4 } or { Length: > 200 })
        {
            errors.Add("password", "A share password has 4 to 200 characters.");
        }
        errors.ThrowIfAny();
        var scenario = await resources.GetAsync(scope, id, cancellationToken);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        var share = new ScenarioShare(
            Ids.New(),
            Hash(token),
            scenario.Id,
            scope.OwnerId,
            string.IsNullOrEmpty(password) ? null : hashing.Hash(password),
            expiresInHours is { } h ? now.AddHours(h) : null,
            null,
            now
        );
        await shares.InsertAsync(share, cancellationToken);
        LogShared(logger, scenario.Id, share.Id, share.PasswordHash is not null, share.ExpiresAt);
        return (share, token);
    }

    public async Task<IReadOnlyList<ScenarioShare>> ListSharesAsync(
        ResourceScope scope,
        string id,
        CancellationToken cancellationToken
    )
    {
        await resources.GetAsync(scope, id, cancellationToken);
        return await shares.ListAsync(scope.OwnerId, id, cancellationToken);
    }

    public async Task RevokeShareAsync(
        ResourceScope scope,
        string id,
        string shareId,
        CancellationToken cancellationToken
    )
    {
        await resources.GetAsync(scope, id, cancellationToken);
        if (!await shares.RevokeAsync(scope.OwnerId, shareId, clock.GetUtcNow(), cancellationToken))
        {
            throw new NotFoundException("share link", shareId);
        }
    }

    /// <summary>The scenario a share link shows, for anyone holding it (and its password).</summary>
    public async Task<(StoredResource<Scenario> Scenario, ScenarioShare Share)> OpenShareAsync(
        string token,
        string? password,
        CancellationToken cancellationToken
    )
    {
        var share = token.Length is > 0 and <= 100
            ? await shares.FindByTokenHashAsync(Hash(token), cancellationToken)
            : null;
        if (share is null)
        {
            throw new NotFoundException("share link", "…");
        }
        if (share.RevokedAt is not null || share.ExpiresAt <= clock.GetUtcNow())
        {
            throw new ShareGoneException(
                share.RevokedAt is not null ? "This share link was revoked." : "This share link has expired."
            );
        }
        if (share.PasswordHash is { } hash && (password is null || !PasswordHashing.Verify(password, hash)))
        {
            throw new SharePasswordException(
                password is null
                    ? "This share link needs its password (header X-Share-Password)."
                    : "The password is not this share link's."
            );
        }
        var world = await WorldOfAsync(share, cancellationToken) ?? throw new NotFoundException("share link", "…");
        var scenario = await resources.GetAsync(
            new ResourceScope(share.OwnerId, world),
            share.ScenarioId,
            cancellationToken
        );
        return (scenario, share);
    }

    /// <summary>The caller's scenarios marked as templates, across their worlds; "use" one with a clone.</summary>
    public Task<IReadOnlyList<ResourceSummary>> TemplatesAsync(string ownerId, CancellationToken cancellationToken) =>
        versions.ListTemplatesAsync(ownerId, cancellationToken);

    public async Task<ScenarioStats> StatsAsync(ResourceScope scope, string id, CancellationToken cancellationToken)
    {
        await resources.GetAsync(scope, id, cancellationToken);
        var adventures = await plays.AdventuresPlayingAsync(scope.OwnerId, id, cancellationToken);
        var endings = new Dictionary<string, int>(StringComparer.Ordinal);
        var stopped = new Dictionary<string, int>(StringComparer.Ordinal);
        var completions = 0;
        foreach (var adventure in adventures)
        {
            if (await positions.GetAsync(scope.OwnerId, adventure, cancellationToken) is not { } position)
            {
                continue;
            }
            var bucket = position.Ended ? endings : stopped;
            completions += position.Ended ? 1 : 0;
            bucket[position.Node.Id] = bucket.GetValueOrDefault(position.Node.Id) + 1;
        }
        return new(adventures.Count, completions, endings, stopped);
    }

    // The share row names the scenario, not its world: the version store's newest body does not say either, so the
    // world comes from the scenario row itself, read through the owner's scenarios of every world.
    private async Task<string?> WorldOfAsync(ScenarioShare share, CancellationToken cancellationToken) =>
        await versions.WorldOfAsync(share.OwnerId, share.ScenarioId, cancellationToken);

    private static string Hash(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant();

    private static string Trim(string name) => name.Length <= Limits.Name ? name : name[..Limits.Name];

    // Never the token: the log names the link by its id.
    [LoggerMessage(
        EventId = LogEvents.Scenarios.ShareCreated,
        Level = LogLevel.Information,
        Message = "Scenario {ScenarioId} shared as link {ShareId} (password: {HasPassword}, expires: {ExpiresAt})"
    )]
    private static partial void LogShared(
        ILogger logger,
        string scenarioId,
        string shareId,
        bool hasPassword,
        DateTimeOffset? expiresAt
    );
}
