namespace StoryEngine.Storage.Backups;

/// <summary>A backup or restore that cannot go ahead; the message says why and what to do, for the operator.</summary>
public class BackupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The backup file is damaged, cut short or changed since it was written; nothing was restored from
/// it.</summary>
public sealed class BackupCorruptException(string path, string problem, Exception? inner = null)
    : BackupException($"The backup {path} cannot be trusted: {problem}. Nothing was restored from it.", inner);
