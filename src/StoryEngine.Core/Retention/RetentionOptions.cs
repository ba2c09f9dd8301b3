namespace StoryEngine.Core.Retention;

/// <summary>How long account housekeeping rows are kept once they can no longer be used (section
/// <c>Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Run the sweep on this node.</summary>
    public bool Enabled { get; set; } = true;

    public int IntervalMinutes { get; set; } = 60;

    /// <summary>Mail that was sent (its body is already cleared) is kept this long for the operator to look
    /// at.</summary>
    public int SentMailDays { get; set; } = 7;

    /// <summary>Sessions that were revoked or expired are kept this long (the account page and the export show
    /// them).</summary>
    public int EndedSessionDays { get; set; } = 30;
}
