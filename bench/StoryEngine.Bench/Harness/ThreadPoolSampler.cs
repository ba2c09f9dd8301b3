namespace StoryEngine.Bench.Harness;

/// <summary>
/// Watches the thread pool from a dedicated thread (a pool task would starve with the pool): the most threads it
/// had and the longest queue of work items waiting for one. A long queue with few threads means work is blocking
/// pool threads instead of awaiting.
/// </summary>
internal sealed class ThreadPoolSampler : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stopped;

    public ThreadPoolSampler(TimeSpan interval)
    {
        _thread = new Thread(() =>
        {
            while (!_stopped)
            {
                PeakThreads = Math.Max(PeakThreads, ThreadPool.ThreadCount);
                PeakQueue = Math.Max(PeakQueue, ThreadPool.PendingWorkItemCount);
                Thread.Sleep(interval);
            }
        })
        {
            IsBackground = true,
            Name = "thread-pool sampler",
        };
        StartThreads = ThreadPool.ThreadCount;
        _thread.Start();
    }

    public int StartThreads { get; }

    public int PeakThreads { get; private set; }

    public long PeakQueue { get; private set; }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }
}
