using System.Collections.Concurrent;
using StoryEngine.Core.Jobs;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// A job queue for tests only: runs the registered handler at once, inside the enqueue call, and records how each
/// run ended. Lets memory tests assert on what a job wrote right after the turn that scheduled it returns.
/// </summary>
public sealed class InlineJobQueue(IServiceProvider services) : IJobQueue
{
    public ConcurrentQueue<(JobRequest Request, Exception? Error)> Runs { get; } = new();

    public async Task<string> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var handler = services.GetServices<IJobHandler>().Single(h => h.Type == request.Type);
        try
        {
            await handler.HandleAsync(
                new JobContext(id, request.Type, request.Payload, request.OwnerId, request.AdventureId, 1),
                cancellationToken
            );
            Runs.Enqueue((request, null));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Runs.Enqueue((request, e));
        }
        return id;
    }
}
