using System.Collections.Concurrent;
using System.Data.Common;

namespace StoryEngine.Storage.Stories;

/// <summary>
/// Group commit for a single-writer database (issue 19, docs/adr/0039-group-commit-and-foreground-first.md). Appends
/// that arrive while the writer is busy wait in a queue; whoever drains it next writes all of them in one transaction,
/// each inside its own savepoint, and commits once. Five hundred players pressing send together then cost a few
/// commits (and syncs to disk) instead of five hundred in a row.
/// <para>
/// Each caller gets its own outcome: an append that fails (its sequence check, a constraint) is rolled back to its
/// savepoint and only its caller sees the exception; the others commit. When the commit itself fails, every append
/// of the batch fails with it: nothing is reported written that is not.
/// </para>
/// </summary>
public sealed class AppendBatcher(IStorageProvider provider)
{
    /// <summary>The most appends one transaction takes; a longer queue is written in several.</summary>
    public const int MaxBatch = 256;

    private readonly ConcurrentQueue<Pending> _queue = new();
    private int _draining;
    private long _batches;

    /// <summary>Transactions committed or attempted so far (for tests and benchmarks).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>
    /// Queues <paramref name="write"/> (the statements of one append, run on the batch's connection and
    /// transaction) and completes when its batch is committed, or with the exception that refused it. The write is
    /// queued before this returns, so appends started one after another are written in that order.
    /// </summary>
    public Task WriteAsync(
        Func<DbConnection, DbTransaction, CancellationToken, Task> write,
        CancellationToken cancellationToken
    )
    {
        var pending = new Pending(write, cancellationToken);
        _queue.Enqueue(pending);
        StartDraining();
        return pending.Done.Task;
    }

    private void StartDraining()
    {
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            while (!_queue.IsEmpty)
            {
                await WriteBatchAsync();
            }
        }
        finally
        {
            Volatile.Write(ref _draining, 0);
        }
        // An append queued after the loop saw the queue empty, but before the flag was cleared, would wait forever.
        if (!_queue.IsEmpty)
        {
            StartDraining();
        }
    }

    private async Task WriteBatchAsync()
    {
        var batch = new List<Pending>();
        try
        {
            // The writer's gate first, then the queue: everything that arrived while waiting for it joins this batch.
            await using var session = await provider.OpenForWriteAsync(CancellationToken.None);
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
            {
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Done.TrySetCanceled(next.CancellationToken);
                    continue;
                }
                batch.Add(next);
            }
            if (batch.Count == 0)
            {
                return;
            }
            Interlocked.Increment(ref _batches);
            var connection = session.Connection;
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            var written = new List<Pending>(batch.Count);
            var refused = new List<(Pending Append, Exception Reason)>();
            foreach (var pending in batch)
            {
                await transaction.SaveAsync("append", CancellationToken.None);
                try
                {
                    await pending.Write(connection, transaction, CancellationToken.None);
                    await transaction.ReleaseAsync("append", CancellationToken.None);
                    written.Add(pending);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Only this append is undone; if even that fails, the catch below fails the whole batch.
                    await transaction.RollbackAsync("append", CancellationToken.None);
                    refused.Add((pending, e));
                }
            }
            await transaction.CommitAsync(CancellationToken.None);
            // Told only now, so a refused caller that reads the log to see what beat it sees the batch committed.
            foreach (var (pending, reason) in refused)
            {
                pending.Done.TrySetException(reason);
            }
            foreach (var pending in written)
            {
                pending.Done.TrySetResult();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection, the transaction or the commit failed: none of the batch is stored, and each caller is
            // told so.
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(e);
            }
            if (batch.Count == 0 && _queue.TryDequeue(out var first))
            {
                // The writer could not even be opened: fail one waiting append per try, so the queue drains.
                first.Done.TrySetException(e);
            }
        }
    }

    private sealed class Pending(
        Func<DbConnection, DbTransaction, CancellationToken, Task> write,
        CancellationToken cancellationToken
    )
    {
        public Func<DbConnection, DbTransaction, CancellationToken, Task> Write { get; } = write;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
