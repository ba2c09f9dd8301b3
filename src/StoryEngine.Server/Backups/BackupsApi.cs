using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Server.Auth;

namespace StoryEngine.Server.Backups;

/// <summary>The backups in the backup folder and the last attempt's outcome, for administrators.</summary>
public sealed record BackupsResponse(
    string Folder,
    string? Schedule,
    double? LastSuccessAgeSeconds,
    BackupOutcome? Last,
    IReadOnlyList<BackupListItem> Backups
);

public sealed record BackupListItem(string File, DateTimeOffset TakenAt, long Bytes);

public static class BackupsApi
{
    public static RouteGroupBuilder MapBackupsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/backups", List)
            .WithTags("Admin")
            .RequireAuthorization(AuthorizationPolicies.Admin)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithName("AdminListBackups")
            .WithSummary("The backups in the backup folder, newest first, and the last attempt");
        return api;
    }

    private static Ok<BackupsResponse> List(BackupStatus status) =>
        TypedResults.Ok(
            new BackupsResponse(
                status.Folder,
                status.Interval?.ToString(),
                status.AgeSeconds(),
                status.Last,
                BackupFolder
                    .List(status.Folder)
                    .Select(f => new BackupListItem(Path.GetFileName(f.Path), f.TakenAt, f.Bytes))
                    .ToArray()
            )
        );
}
