namespace StoryEngine.Core.Trash;

public static class TrashPolicy
{
    /// <summary>How long deleted data can be restored before the purge sweep removes it for good (issue 2).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);
}
