using Microsoft.Extensions.Logging.Abstractions;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Storage.Jobs;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Jobs;

/// <summary>
/// The durable queue on a real database: retries with backoff and jitter, dead-lettering, unknown types, a worker
/// that died mid-job (its lease runs out), concurrent workers that never run a job twice, dedupe, retry, cancel, purge.
/// </summary>
public abstract class JobQueueTests(JobDatabase database)
{
    private static readonly JobSettings Settings = new(
        3,
        TimeSpan.FromSeconds(10),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromDays(7)
    );
    private readonly ManualClock _clock = new();
    private readonly string _type = "test." + Guid.NewGuid().ToString("N")[..8];

    private JobStore Store => new(database.Provider);

    private JobQueue Queue(JobSettings? settings = null) => new(Store, new JobSignal(), settings ?? Settings, _clock);

    private JobRunner Runner(params IJobHandler[] handlers) =>
        new(Store, JobHandlers.Of(handlers), Settings, _clock, NullLogger<JobRunner>.Instance);

    /// <summary>Runs every due job. Tests share the database, so they count their own handler's calls, not what this
    /// returns.</summary>
    private static async Task<int> DrainAsync(JobRunner runner)
    {
        var ran = 0;
        while (await runner.RunNextAsync(CancellationToken.None))
        {
            ran++;
        }
        return ran;
    }

    [Fact]
    public async Task a_job_that_always_throws_is_retried_with_growing_jittered_backoff_then_dead_lettered()
    {
        var handler = new Handler(_type, _ => throw new InvalidOperationException("the backend said no"));
        var id = await Queue().EnqueueAsync(new JobRequest(_type, "{}", "owner-1"), CancellationToken.None);
        var runner = Runner(handler);

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var before = _clock.GetUtcNow();
            await DrainAsync(runner);
            var job = (await Store.GetAsync(id, CancellationToken.None))!;
            Assert.Equal(JobStates.Failed, job.State);
            Assert.Equal(attempt, job.Attempts);
            Assert.Equal("InvalidOperationException: the backend said no", job.LastError);
            // Equal jitter: between half and all of base * 2^(attempt-1).
            var full = Settings.BaseDelay * Math.Pow(2, attempt - 1);
            Assert.InRange(
                job.RunAfter,
                before + full / 2 - TimeSpan.FromMilliseconds(1),
                _clock.GetUtcNow() + full + TimeSpan.FromMilliseconds(1)
            );
            await DrainAsync(runner);
            Assert.Equal(attempt, handler.Calls); // not due yet
            _clock.Advance(full + TimeSpan.FromMilliseconds(1));
        }
        await DrainAsync(runner);
        var dead = (await Store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(JobStates.Dead, dead.State);
        Assert.Equal(3, dead.Attempts);
        Assert.NotNull(dead.FinishedAt);
        Assert.Equal(3, handler.Calls);
        _clock.Advance(TimeSpan.FromHours(1));
        await DrainAsync(runner);
        Assert.Equal(3, handler.Calls); // dead stays dead
    }

    [Fact]
    public async Task a_job_of_an_unknown_type_is_dead_with_an_error_that_names_the_type()
    {
        var id = await Queue()
            .EnqueueAsync(new JobRequest(_type + ".unknown", "{}", "owner-1"), CancellationToken.None);
        await DrainAsync(Runner());
        var job = (await Store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(JobStates.Dead, job.State);
        Assert.Contains($"No handler for job type '{_type}.unknown'", job.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_job_whose_worker_died_runs_again_after_its_lease_and_completes_once()
    {
        var handler = new Handler(_type, _ => Task.CompletedTask);
        var id = await Queue().EnqueueAsync(new JobRequest(_type, "{}", "owner-1"), CancellationToken.None);
        // A worker claims the job and dies: no outcome is ever written.
        var dying = await ClaimOursAsync(id);
        Assert.Equal(JobStates.Running, (await Store.GetAsync(id, CancellationToken.None))!.State);

        var runner = Runner(handler);
        await DrainAsync(runner);
        Assert.Equal(0, handler.Calls); // the lease still holds

        _clock.Advance(Settings.Lease + TimeSpan.FromSeconds(1));
        await DrainAsync(runner);
        var job = (await Store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(JobStates.Succeeded, job.State);
        Assert.Equal(2, job.Attempts);
        Assert.Equal(1, handler.Calls);

        // The dead worker comes back to life: its outcome is refused, the job stays succeeded.
        Assert.False(
            await Store.FinishAttemptAsync(
                dying,
                new JobOutcome(JobStates.Failed, _clock.GetUtcNow(), _clock.GetUtcNow(), "late"),
                CancellationToken.None
            )
        );
        Assert.Equal(JobStates.Succeeded, (await Store.GetAsync(id, CancellationToken.None))!.State);
        _clock.Advance(Settings.Lease * 2);
        await DrainAsync(runner);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task a_killed_workers_job_runs_again_within_one_default_lease_not_five_minutes()
    {
        // Issue 15, fault 8: the default lease was 300 s, so a dead node's jobs waited five minutes.
        var lease = JobSettings.Default.Lease;
        Assert.True(lease <= TimeSpan.FromSeconds(30), $"the default lease is {lease}");
        var handler = new Handler(_type, _ => Task.CompletedTask);
        var id = await Queue().EnqueueAsync(new JobRequest(_type, "{}", "owner-1"), CancellationToken.None);
        while (
            await Store.ClaimAsync(_clock.GetUtcNow(), lease, CancellationToken.None) is { } claim && claim.Job.Id != id
        ) { } // the killed worker's claim: it never renews nor finishes
        var survivor = new JobRunner(
            Store,
            JobHandlers.Of(handler),
            JobSettings.Default,
            _clock,
            NullLogger<JobRunner>.Instance
        );

        _clock.Advance(lease - TimeSpan.FromSeconds(1));
        await DrainAsync(survivor);
        Assert.Equal(0, handler.Calls);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await DrainAsync(survivor);
        Assert.Equal(1, handler.Calls);
        Assert.Equal(JobStates.Succeeded, (await Store.GetAsync(id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task a_job_that_runs_longer_than_its_lease_keeps_it_by_renewing()
    {
        var shortLease = Settings with { Lease = TimeSpan.FromMilliseconds(300) };
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var handler = new Handler(_type, async _ =>
        {
            started.TrySetResult();
            await release.Task;
        });
        var id = await Queue().EnqueueAsync(new JobRequest(_type, "{}", "owner-1"), CancellationToken.None);
        var first = new JobRunner(Store, JobHandlers.Of(handler), shortLease, _clock, NullLogger<JobRunner>.Instance);
        var running = Task.Run(() => DrainAsync(first));
        await started.Task;

        // Well past three leases, another worker keeps looking: the job is never taken over.
        var other = new JobRunner(Store, JobHandlers.Of(handler), shortLease, _clock, NullLogger<JobRunner>.Instance);
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(shortLease.Lease / 3);
            await DrainAsync(other);
        }
        Assert.Equal(1, handler.Calls);
        release.SetResult();
        await running;
        var job = (await Store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(JobStates.Succeeded, job.State);
        Assert.Equal(1, job.Attempts);
    }

    [Fact]
    public async Task concurrent_workers_never_run_a_job_twice()
    {
        var runs = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var handler = new Handler(_type, async job =>
        {
            runs.AddOrUpdate(job.JobId, 1, (_, n) => n + 1);
            await Task.Delay(2);
        });
        var queue = Queue();
        var ids = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            ids.Add(
                await queue.EnqueueAsync(
                    new JobRequest(_type, "{}", "owner-1", Priority: (JobPriority)(i % 3)),
                    CancellationToken.None
                )
            );
        }
        // Separate runners, as on separate nodes; on PostgreSQL each claim skips rows another worker has locked.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => DrainAsync(Runner(handler)))));

        Assert.Equal(ids.Order(), runs.Keys.Order());
        Assert.All(runs.Values, n => Assert.Equal(1, n));
        foreach (var id in ids)
        {
            var job = (await Store.GetAsync(id, CancellationToken.None))!;
            Assert.Equal(JobStates.Succeeded, job.State);
            Assert.Equal(1, job.Attempts);
        }
    }

    [Fact]
    public async Task critical_jobs_run_before_default_and_low_ones()
    {
        var order = new List<string>();
        var handler = new Handler(_type, job =>
        {
            order.Add(job.Payload);
            return Task.CompletedTask;
        });
        var queue = Queue();
        await queue.EnqueueAsync(
            new JobRequest(_type, "\"low\"", "o", Priority: JobPriority.Low),
            CancellationToken.None
        );
        await queue.EnqueueAsync(new JobRequest(_type, "\"default\"", "o"), CancellationToken.None);
        await queue.EnqueueAsync(
            new JobRequest(_type, "\"critical\"", "o", Priority: JobPriority.Critical),
            CancellationToken.None
        );
        await DrainAsync(Runner(handler));
        Assert.Equal(
            ["\"critical\"", "\"default\"", "\"low\""],
            order.Where(p => p is "\"low\"" or "\"default\"" or "\"critical\"")
        );
    }

    [Fact]
    public async Task the_same_unfinished_work_is_enqueued_once()
    {
        var queue = Queue();
        var first = await queue.EnqueueAsync(
            new JobRequest(_type, "{}", "o", DedupeKey: "adv/turn/0"),
            CancellationToken.None
        );
        var second = await queue.EnqueueAsync(
            new JobRequest(_type, "{}", "o", DedupeKey: "adv/turn/0"),
            CancellationToken.None
        );
        Assert.Equal(first, second);
        await DrainAsync(Runner(new Handler(_type, _ => Task.CompletedTask)));
        // Once the first has finished, the same key is new work again.
        var third = await queue.EnqueueAsync(
            new JobRequest(_type, "{}", "o", DedupeKey: "adv/turn/0"),
            CancellationToken.None
        );
        Assert.NotEqual(first, third);
    }

    [Fact]
    public async Task a_dead_job_can_be_retried_and_a_queued_one_cancelled_but_not_the_other_way_round()
    {
        var fails = true;
        var handler = new Handler(_type, _ => fails ? throw new TimeoutException("slow") : Task.CompletedTask);
        var queue = Queue(Settings with { MaxAttempts = 1 });
        var id = await queue.EnqueueAsync(new JobRequest(_type, "{}", "o"), CancellationToken.None);
        var runner = Runner(handler);
        await DrainAsync(runner);
        Assert.Equal(JobStates.Dead, (await Store.GetAsync(id, CancellationToken.None))!.State);
        await Assert.ThrowsAsync<ConflictException>(() =>
            Store.CancelAsync(id, _clock.GetUtcNow(), CancellationToken.None)
        );

        var retried = (await Store.RetryAsync(id, _clock.GetUtcNow(), CancellationToken.None))!;
        Assert.Equal(JobStates.Queued, retried.State);
        Assert.Equal(0, retried.Attempts);
        fails = false;
        await DrainAsync(runner);
        Assert.Equal(JobStates.Succeeded, (await Store.GetAsync(id, CancellationToken.None))!.State);
        await Assert.ThrowsAsync<ConflictException>(() =>
            Store.RetryAsync(id, _clock.GetUtcNow(), CancellationToken.None)
        );

        var other = await queue.EnqueueAsync(new JobRequest(_type, "{}", "o"), CancellationToken.None);
        Assert.Equal(
            JobStates.Cancelled,
            (await Store.CancelAsync(other, _clock.GetUtcNow(), CancellationToken.None))!.State
        );
        await DrainAsync(runner);
        Assert.Equal(JobStates.Cancelled, (await Store.GetAsync(other, CancellationToken.None))!.State);
        Assert.Equal(2, handler.Calls);
        Assert.Null(await Store.RetryAsync(Guid.NewGuid().ToString(), _clock.GetUtcNow(), CancellationToken.None));
    }

    [Fact]
    public async Task finished_jobs_are_purged_after_the_retention_and_unfinished_ones_never()
    {
        var queue = Queue();
        var done = await queue.EnqueueAsync(new JobRequest(_type, "{}", "o"), CancellationToken.None);
        await DrainAsync(Runner(new Handler(_type, _ => Task.CompletedTask)));
        var waiting = await queue.EnqueueAsync(new JobRequest(_type + ".later", "{}", "o"), CancellationToken.None);

        await Store.PurgeFinishedBeforeAsync(_clock.GetUtcNow() - Settings.Retention, CancellationToken.None);
        Assert.NotNull(await Store.GetAsync(done, CancellationToken.None));
        await Store.PurgeFinishedBeforeAsync(_clock.GetUtcNow() + TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Null(await Store.GetAsync(done, CancellationToken.None));
        Assert.NotNull(await Store.GetAsync(waiting, CancellationToken.None));
    }

    [Fact]
    public async Task one_users_thousand_jobs_take_turns_with_another_users_job_instead_of_running_first()
    {
        // A database of its own: the order of claims is what is tested, and other tests' jobs would join it.
        var fresh = (JobDatabase)Activator.CreateInstance(database.GetType())!;
        await fresh.InitializeAsync();
        try
        {
            var store = new JobStore(fresh.Provider);
            var queue = new JobQueue(store, new JobSignal(), Settings, _clock);
            for (var i = 0; i < 1000; i++)
            {
                await queue.EnqueueAsync(new JobRequest(_type, "{}", "hog"), CancellationToken.None);
            }
            _clock.Advance(TimeSpan.FromSeconds(1)); // queued after all of them
            var small = await queue.EnqueueAsync(new JobRequest(_type, "{}", "small"), CancellationToken.None);

            var order = new List<string>();
            var runner = new JobRunner(
                store,
                JobHandlers.Of(new Handler(_type, _ => Task.CompletedTask)),
                Settings,
                _clock,
                NullLogger<JobRunner>.Instance
            );
            for (var i = 0; i < 3 && await store.GetAsync(small, CancellationToken.None) is { FinishedAt: null }; i++)
            {
                await runner.RunNextAsync(CancellationToken.None);
                order.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            // one worker: the hog's first job may go first, then it is the other user's turn
            Assert.Equal(JobStates.Succeeded, (await store.GetAsync(small, CancellationToken.None))!.State);
            Assert.True(order.Count <= 2, $"the small user's job waited for {order.Count - 1} of the hog's jobs");
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    private async Task<ClaimedJob> ClaimOursAsync(string id)
    {
        while (await Store.ClaimAsync(_clock.GetUtcNow(), Settings.Lease, CancellationToken.None) is { } claim)
        {
            if (claim.Job.Id == id)
            {
                return claim;
            }
        }
        throw new InvalidOperationException($"Job {id} was never claimed.");
    }

    private sealed class Handler(string type, Func<JobContext, Task> run) : IJobHandler
    {
        private int _calls;

        public int Calls => _calls;

        public string Type => type;

        public Task HandleAsync(JobContext job, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return run(job);
        }
    }
}

public sealed class JobQueueTests_Sqlite : JobQueueTests, IClassFixture<SqliteJobDatabase>
{
    public JobQueueTests_Sqlite(SqliteJobDatabase database)
        : base(database) { }
}

public sealed class JobQueueTests_Postgres : JobQueueTests, IClassFixture<PostgresJobDatabase>
{
    public JobQueueTests_Postgres(PostgresJobDatabase database)
        : base(database) { }
}
