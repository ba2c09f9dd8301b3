using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace StoryEngine.Core.Usage;

/// <summary>
/// Ledger rows the database refused, kept until it takes them (issue 15: the ledger must equal what the backends
/// reported, even when the process is killed before the database is back). With a folder, each row is a file written
/// and flushed to disk before <see cref="Add"/> returns, and the rows of an earlier process are loaded at start; a
/// row whose file could not be written is still kept in memory. Without a folder (tests, tools) rows live in memory.
/// </summary>
public sealed partial class UsageOutbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, UsageRecord> _rows = new();
    private readonly string? _folder;
    private readonly ILogger<UsageOutbox> _logger;

    public UsageOutbox(string? folder, ILogger<UsageOutbox> logger)
    {
        _folder = folder;
        _logger = logger;
        if (folder is null || !Directory.Exists(folder))
        {
            return;
        }
        foreach (var path in Directory.EnumerateFiles(folder, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<UsageRecord>(File.ReadAllBytes(path), Json) is { } row)
                {
                    _rows[row.Id] = row;
                }
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                // A file cut short by a crash while it was written: its row never left this node's memory before the
                // crash either, so nothing is lost that a sound file could have saved. It is left for an operator.
                LogUnreadable(_logger, e, path);
            }
        }
    }

    /// <summary>Rows waiting for the database.</summary>
    public int Count => _rows.Count;

    /// <summary>Snapshot of the rows waiting, oldest first.</summary>
    public IReadOnlyList<UsageRecord> Rows => [.. _rows.Values.OrderBy(r => r.At)];

    /// <summary>Keeps the row until <see cref="Remove"/>; on disk first when there is a folder.</summary>
    public void Add(UsageRecord row)
    {
        _rows[row.Id] = row;
        if (_folder is null)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(_folder);
            var path = PathOf(row.Id);
            var partial = path + ".tmp";
            using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(file, row, Json);
                file.Flush(flushToDisk: true);
            }
            // The rename makes the row appear whole or not at all to the next start.
            File.Move(partial, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotSaved(_logger, e, row.Id, _folder);
        }
    }

    /// <summary>Forgets a row the ledger now holds.</summary>
    public void Remove(string id)
    {
        _rows.TryRemove(id, out _);
        if (_folder is null)
        {
            return;
        }
        try
        {
            File.Delete(PathOf(id));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind, it is loaded and offered again at the next start; the ledger skips an id it has.
            LogNotSaved(_logger, e, id, _folder);
        }
    }

    // Ids are generated here (Ids.New), but a name from a file on disk is never trusted as a path.
    private string PathOf(string id) => Path.Combine(_folder!, Path.GetFileName(id) + ".json");

    [LoggerMessage(
        EventId = LogEvents.Usage.OutboxNotSaved,
        Level = LogLevel.Error,
        Message = "Could not write or delete usage row {Id} in {Folder}; it is kept in memory only"
    )]
    private static partial void LogNotSaved(ILogger logger, Exception exception, string id, string folder);

    [LoggerMessage(
        EventId = LogEvents.Usage.OutboxUnreadable,
        Level = LogLevel.Error,
        Message = "Could not read the kept usage row {Path}; it is left in place"
    )]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string path);
}
