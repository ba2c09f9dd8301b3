using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StoryEngine.Core.Jobs;
using StoryEngine.Server.Jobs;

namespace StoryEngine.Tests.Jobs;

/// <summary>
/// Issue 19: background jobs hold back while a player's turn is being prepared, but never for longer than the
/// configured wait, so a node that is always busy still runs them. The clock is fake: nothing here waits for real.
/// </summary>
public sealed class ForegroundGateTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task a_job_starts_at_once_when_no_turn_is_being_prepared()
    {
        var gate = new ForegroundGate(_clock);

        await gate.WaitForQuietAsync(TimeSpan.FromSeconds(1), CancellationToken.None); // completes without the clock
        Assert.Equal(0, gate.Active);
    }

    [Fact]
    public async Task a_job_waits_while_turns_are_prepared_and_starts_when_the_last_one_reaches_its_first_token()
    {
        var gate = new ForegroundGate(_clock);
        var first = gate.Enter();
        var second = gate.Enter();

        var waiting = gate.WaitForQuietAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        first.Dispose();
        first.Dispose(); // a scope ends once, however often it is disposed
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, gate.Active);

        second.Dispose();
        await waiting;
        Assert.Equal(0, gate.Active);
    }

    [Fact]
    public async Task a_job_runs_anyway_once_it_has_waited_the_longest_allowed()
    {
        var gate = new ForegroundGate(_clock);
        using var turn = gate.Enter();

        var waiting = gate.WaitForQuietAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(waiting.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        await waiting; // no exception: the timeout means "go ahead"
        Assert.Equal(1, gate.Active);
    }

    [Fact]
    public async Task a_zero_wait_never_holds_a_job_back()
    {
        var gate = new ForegroundGate(_clock);
        using var turn = gate.Enter();

        await gate.WaitForQuietAsync(TimeSpan.Zero, CancellationToken.None);
    }

    [Fact]
    public async Task a_stopping_server_stops_the_wait()
    {
        var gate = new ForegroundGate(_clock);
        using var turn = gate.Enter();
        using var stopping = new CancellationTokenSource();

        var waiting = gate.WaitForQuietAsync(TimeSpan.FromSeconds(1), stopping.Token);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public void workers_default_to_half_the_cores_and_a_negative_wait_is_refused()
    {
        var options = new JobOptions();
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), options.Workers);
        Assert.Equal(1000, options.YieldToTurnsMilliseconds);

        options.YieldToTurnsMilliseconds = -1;
        var result = new JobOptionsValidator().Validate(Options.DefaultName, options);
        Assert.Contains("Jobs:YieldToTurnsMilliseconds", result.FailureMessage);
    }
}
