using System.Diagnostics;
using StoryEngine.Core;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Knowledge;
using StoryEngine.Core.Memory;
using StoryEngine.Providers.Embeddings;

namespace StoryEngine.Server.Jobs;

/// <summary>
/// After the server is ready (never before: start-up does not wait for it), loads the local embedding model when it is
/// the one configured (ADR 44), then sweeps once for what has no vectors of the configured model: adventures whose
/// recall index is of another model or none (an upgrade from full-text recall, or a model change) get a
/// <c>memory.index</c> job, documents with such passages a <c>knowledge.index</c> job. The jobs run in the background
/// at low priority while play goes on; until they are done, recall and search use what is there plus full text.
/// </summary>
public sealed partial class EmbeddingsWarmupService(
    MemoryEmbeddings embeddings,
    MemoryOptions memory,
    IMemoryStore memoryStore,
    IKnowledgeStore knowledge,
    IHostApplicationLifetime lifetime,
    ILogger<EmbeddingsWarmupService> logger,
    IJobQueue? queue = null
) : BackgroundService
{
    // Adventures and documents queued per sweep; the rest are found by the next start (or the next sweep).
    private const int SweepLimit = 100_000;

    /// <summary>Completes when the model is loaded and the sweep has queued its jobs (tests wait on it).</summary>
    public Task Swept => _swept.Task;

    private readonly TaskCompletionSource _swept = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!embeddings.Configured)
        {
            _swept.TrySetResult();
            return;
        }
        try
        {
            await WhenStartedAsync(stoppingToken);
            if (embeddings.Backend == "local" && !LocalEmbeddingModel.IsLoaded)
            {
                LogLoading(logger, LocalEmbeddingModel.Name);
                var clock = Stopwatch.StartNew();
                await LocalEmbeddingModel.LoadAsync().WaitAsync(stoppingToken);
                LogLoaded(logger, LocalEmbeddingModel.Name, clock.ElapsedMilliseconds, Environment.WorkingSet >> 20);
            }
            await SweepAsync(stoppingToken);
            _swept.TrySetResult();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _swept.TrySetCanceled(stoppingToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, e, embeddings.Model);
            _swept.TrySetException(e);
        }
    }

    /// <summary>Queues the jobs that bring every index to the configured model; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (queue is null || !embeddings.Enabled)
        {
            return 0;
        }
        var queued = 0;
        if (memory.Enabled)
        {
            foreach (
                var (adventureId, ownerId) in await memoryStore.ListUnembeddedAsync(
                    embeddings.Model,
                    SweepLimit,
                    cancellationToken
                )
            )
            {
                await queue.EnqueueAsync(
                    new JobRequest(
                        MemoryIndexJob.JobType,
                        "{}",
                        ownerId,
                        adventureId,
                        JobPriority.Low,
                        DedupeKey: adventureId
                    ),
                    cancellationToken
                );
                queued++;
            }
        }
        foreach (var stale in await knowledge.ListStaleAsync(embeddings.Model, SweepLimit, cancellationToken))
        {
            await queue.EnqueueAsync(
                KnowledgeIndexJob.Request(stale.OwnerId, stale.WorldId, stale.DocumentId),
                cancellationToken
            );
            queued++;
        }
        if (queued > 0)
        {
            LogQueued(logger, queued, embeddings.Model);
        }
        return queued;
    }

    private Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        if (lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    [LoggerMessage(
        EventId = LogEvents.Knowledge.ModelLoading,
        Level = LogLevel.Information,
        Message = "Loading the local embedding model {Model} in the background; recall is full-text only until then"
    )]
    private static partial void LogLoading(ILogger logger, string model);

    [LoggerMessage(
        EventId = LogEvents.Knowledge.ModelLoaded,
        Level = LogLevel.Information,
        Message = "Local embedding model {Model} loaded in {Milliseconds} ms; working set {WorkingSetMb} MB"
    )]
    private static partial void LogLoaded(ILogger logger, string model, long milliseconds, long workingSetMb);

    [LoggerMessage(
        EventId = LogEvents.Knowledge.ReindexQueued,
        Level = LogLevel.Information,
        Message = "Queued {Count} index jobs for vectors of {Model} (new model, or indexed without vectors)"
    )]
    private static partial void LogQueued(ILogger logger, int count, string model);

    [LoggerMessage(
        EventId = LogEvents.Knowledge.ModelLoadFailed,
        Level = LogLevel.Error,
        Message = "The embedding model {Model} could not be loaded or swept for; recall stays full-text only"
    )]
    private static partial void LogFailed(ILogger logger, Exception exception, string model);
}
