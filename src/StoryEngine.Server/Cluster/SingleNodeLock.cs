namespace StoryEngine.Server.Cluster;

/// <summary>
/// SQLite runs one node: <c>storyengine serve</c> holds an exclusive lock on <c>serve.lock</c> beside the database
/// for as long as it runs, so a second server on the same data directory is refused with a sentence saying why
/// instead of two processes narrating the same adventures. The operating system drops the lock when the process ends,
/// however it ends. The CLI's other commands take no lock: they may run beside the server.
/// </summary>
public sealed class SingleNodeLock : IDisposable
{
    private readonly FileStream _file;

    private SingleNodeLock(FileStream file) => _file = file;

    public const string FileName = "serve.lock";

    /// <summary>The lock, or null with <paramref name="refusal"/> saying why when another server holds it.</summary>
    public static SingleNodeLock? TryTake(string dataDir, out string? refusal)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, FileName);
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            using (var writer = new StreamWriter(file, leaveOpen: true))
            {
                writer.Write(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            file.Flush();
            refusal = null;
            return new SingleNodeLock(file);
        }
        catch (IOException)
        {
            refusal =
                $"Another storyengine server is already running on {dataDir} (it holds {path}). SQLite runs one "
                + "node: stop the other server first, or move to PostgreSQL (ConnectionStrings:Postgres) to run "
                + "several nodes (docs/scaling.md).";
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
