using System.Data.Common;

namespace StoryEngine.Storage;

/// <summary>
/// A connection for writing. On SQLite it also holds the process's write gate: SQLite allows one writer at a
/// time, and Microsoft.Data.Sqlite answers a busy database by sleeping and retrying (150 ms a try), so many
/// concurrent writers queue far better on an async gate than inside the driver. Disposing releases both.
/// </summary>
public sealed class WriteSession(DbConnection connection, SemaphoreSlim? gate) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.DisposeAsync();
        }
        finally
        {
            gate?.Release();
        }
    }
}
