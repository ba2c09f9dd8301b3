using StoryEngine.Core.Audit;

namespace StoryEngine.Tests.Infrastructure;

public static class AuditReader
{
    /// <summary>The audit entries about one user, newest first, read straight from the server's log.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> AuditOfAsync(this ServerFixture server, string userId)
    {
        var page = await server
            .Services.GetRequiredService<IAuditLog>()
            .ListAsync(AuditQuery.From(100, null, userId, null), CancellationToken.None);
        return page.Items;
    }
}
