using Microsoft.Extensions.Time.Testing;
using StoryEngine.Providers.Gateway;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Gateway;

/// <summary>Issue 21's per-backend gate: a concurrency limit, a priority queue in front of it, refusal when the queue
/// is full, and the time each call queued.</summary>
public sealed class BackendGateTests
{
    [Fact]
    public async Task a_freed_slot_goes_to_the_interactive_turn_before_the_retry_before_the_background_job()
    {
        var clock = new FakeTimeProvider();
        var gate = new BackendGate("b", maxConcurrency: 1, maxQueue: 10, clock);
        var holder = (await gate.EnterAsync(ModelPriority.Background, CancellationToken.None))!;
        var order = new List<string>();
        Task Wait(ModelPriority priority, string name) =>
            Task.Run(async () =>
            {
                using var ticket = (await gate.EnterAsync(priority, CancellationToken.None))!;
                lock (order)
                {
                    order.Add(name);
                }
            });

        var background = Wait(ModelPriority.Background, "background");
        await Poll.UntilAsync(() => gate.Queued == 1, "the background job never queued");
        var retry = Wait(ModelPriority.Retry, "retry");
        await Poll.UntilAsync(() => gate.Queued == 2, "the retry never queued");
        var interactive = Wait(ModelPriority.Interactive, "interactive");
        await Poll.UntilAsync(() => gate.Queued == 3, "the turn never queued");
        clock.Advance(TimeSpan.FromMilliseconds(250));
        holder.Dispose();
        await Task.WhenAll(background, retry, interactive);

        Assert.Equal(["interactive", "retry", "background"], order);
        Assert.Equal(4, gate.Admitted);
        Assert.Equal(0, gate.Running);
        Assert.True(gate.MeanQueueMilliseconds >= 250 * 3 / 4.0, $"mean wait {gate.MeanQueueMilliseconds} ms");
    }

    [Fact]
    public async Task a_full_queue_refuses_at_once_and_background_work_never_takes_a_turns_place_in_it()
    {
        var gate = new BackendGate("b", maxConcurrency: 1, maxQueue: 1, TimeProvider.System);
        using var running = (await gate.EnterAsync(ModelPriority.Interactive, CancellationToken.None))!;
        using var cancel = new CancellationTokenSource();
        var queued = gate.EnterAsync(ModelPriority.Background, cancel.Token).AsTask();
        await Poll.UntilAsync(() => gate.Queued == 1, "the job never queued");

        Assert.True(gate.IsFull(ModelPriority.Background));
        Assert.Null(await gate.EnterAsync(ModelPriority.Background, CancellationToken.None));
        // a queued job does not count against a turn: the turn may still queue
        Assert.False(gate.IsFull(ModelPriority.Interactive));
        Assert.Equal(1, gate.Refused);

        await cancel.CancelAsync(); // a caller that gives up leaves the queue
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.Equal(0, gate.Queued);
    }

    [Fact]
    public async Task background_work_never_takes_the_reserved_slot_so_a_turn_starts_at_once_while_jobs_queue()
    {
        var gate = new BackendGate("b", maxConcurrency: 3, maxQueue: 10, TimeProvider.System, interactiveReserve: 1);
        var jobs = new List<BackendGate.Ticket>
        {
            (await gate.EnterAsync(ModelPriority.Background, CancellationToken.None))!,
            (await gate.EnterAsync(ModelPriority.Background, CancellationToken.None))!,
        };
        var third = gate.EnterAsync(ModelPriority.Background, CancellationToken.None).AsTask();
        await Poll.UntilAsync(() => gate.Queued == 1, "the third job never queued");
        Assert.Equal(1, gate.InteractiveReserve);
        Assert.Equal(2, gate.Running);

        using (var turn = await gate.EnterAsync(ModelPriority.Interactive, CancellationToken.None))
        {
            Assert.NotNull(turn);
            Assert.Equal(TimeSpan.Zero, turn.Waited);
            Assert.Equal(3, gate.Running);
        }
        // the turn's slot is the reserved one: handing it back does not let the queued job in
        Assert.Equal(2, gate.Running);
        Assert.False(third.IsCompleted);

        jobs[0].Dispose(); // a job's slot passes to the next job
        using var next = await third;
        Assert.Equal(2, gate.Running);
        Assert.Equal(0, gate.Queued);
        jobs[1].Dispose();
    }

    [Theory]
    [InlineData(1, 5, 0)]
    [InlineData(4, 9, 3)]
    [InlineData(4, 0, 0)]
    [InlineData(0, 1, 0)]
    public void the_reserve_leaves_background_work_at_least_one_slot(int max, int reserve, int effective) =>
        Assert.Equal(effective, new BackendGate("b", max, 10, TimeProvider.System, reserve).InteractiveReserve);

    [Fact]
    public async Task no_limit_admits_everything_at_once()
    {
        var gate = new BackendGate("b", maxConcurrency: 0, maxQueue: 0, TimeProvider.System);
        var tickets = new List<BackendGate.Ticket>();
        for (var i = 0; i < 50; i++)
        {
            tickets.Add((await gate.EnterAsync(ModelPriority.Background, CancellationToken.None))!);
        }
        Assert.Equal(50, gate.Running);
        Assert.False(gate.IsFull(ModelPriority.Background));
        tickets.ForEach(t => t.Dispose());
        Assert.Equal(0, gate.Running);
    }
}
