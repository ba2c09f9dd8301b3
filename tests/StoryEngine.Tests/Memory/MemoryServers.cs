using StoryEngine.Core.Jobs;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Memory;

/// <summary>
/// A server of its own for memory tests: a small context window (1,024 tokens) so a dozen turns overflow the
/// transcript, small summary chunks, and jobs run inline by <see cref="InlineJobQueue"/>. With
/// <see cref="WithVectors"/>, <see cref="ScriptedEmbeddings"/> is the embedding backend.
/// </summary>
public abstract class MemoryServer : IAsyncLifetime
{
    public ServerFixture Server { get; private set; } = null!;

    public ScriptedEmbeddings Embeddings { get; private set; } = null!;

    public InlineJobQueue Queue => (InlineJobQueue)Server.Services.GetRequiredService<IJobQueue>();

    protected abstract bool WithVectors { get; }

    /// <summary>False for a server whose jobs go through the real, durable queue (rows in the jobs table).</summary>
    protected virtual bool InlineJobs => true;

    protected abstract ServerFixture CreateFixture();

    public async Task InitializeAsync()
    {
        Embeddings = await ScriptedEmbeddings.StartAsync();
        Server = CreateFixture();
        Server.ExtraSettings["Backends:scripted:ContextTokens"] = "1024";
        Server.ExtraSettings["Summaries:ChunkTurns"] = "4";
        Server.ExtraSettings["Summaries:FanIn"] = "2";
        if (WithVectors)
        {
            foreach (var (key, value) in Embeddings.Settings())
            {
                Server.ExtraSettings[key] = value;
            }
        }
        if (InlineJobs)
        {
            Server.ServiceOverrides.Add(services => services.AddSingleton<IJobQueue, InlineJobQueue>());
        }
        await Server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Embeddings.DisposeAsync();
    }
}

public sealed class TextMemorySqliteServer : MemoryServer
{
    protected override bool WithVectors => false;

    protected override ServerFixture CreateFixture() => new SqliteServerFixture();
}

public sealed class TextMemoryPostgresServer : MemoryServer
{
    protected override bool WithVectors => false;

    protected override ServerFixture CreateFixture() => new PostgresServerFixture();
}

/// <summary>The text-memory server with the real job queue, for tests that need the jobs table filled.</summary>
public sealed class QueuedMemorySqliteServer : MemoryServer
{
    protected override bool WithVectors => false;

    protected override bool InlineJobs => false;

    protected override ServerFixture CreateFixture() => new SqliteServerFixture();
}

public sealed class QueuedMemoryPostgresServer : MemoryServer
{
    protected override bool WithVectors => false;

    protected override bool InlineJobs => false;

    protected override ServerFixture CreateFixture() => new PostgresServerFixture();
}

public sealed class VectorMemorySqliteServer : MemoryServer
{
    protected override bool WithVectors => true;

    protected override ServerFixture CreateFixture() => new SqliteServerFixture();
}

public sealed class VectorMemoryPostgresServer : MemoryServer
{
    protected override bool WithVectors => true;

    protected override ServerFixture CreateFixture() => new PostgresServerFixture();
}
