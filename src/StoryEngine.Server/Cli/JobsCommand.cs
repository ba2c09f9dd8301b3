using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Jobs;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>jobs list [--state S] [--adventure ID] [--limit N] [--json]</c>, <c>jobs retry ID</c>, <c>jobs cancel ID</c>: the
/// operator's view of the background queue (every user's jobs). A running server picks a retried job up at its next
/// poll.
/// </summary>
public static class JobsCommand
{
    public static Command Create() =>
        new("jobs", "Inspect, retry and cancel background " + "jobs") { List(), Retry(), Cancel() };

    private static Command List()
    {
        var state = new Option<string?>("--state")
        {
            Description = $"Only jobs in this state ({string.Join(", ", JobStates.All)})",
        };
        var adventure = new Option<string?>("--adventure") { Description = "Only jobs for this adventure id" };
        var limit = new Option<int>("--limit")
        {
            Description = "At most this many, newest first",
            DefaultValueFactory = _ => 50,
        };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("list", "List jobs, newest first: id, type, state, attempts, last " + "error")
        {
            state,
            adventure,
            limit,
            json,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    if (parse.GetValue(state) is { } s && !JobStates.All.Contains(s))
                    {
                        throw new CliUsageException($"--state must be one of {string.Join(", ", JobStates.All)}.");
                    }
                    if (parse.GetValue(limit) is < 1 or > 10_000)
                    {
                        throw new CliUsageException("--limit must be between 1 and 10000.");
                    }
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var jobs = await app
                        .Services.GetRequiredService<IJobStore>()
                        .ListAsync(
                            new JobListQuery(
                                null,
                                parse.GetValue(adventure),
                                parse.GetValue(state),
                                parse.GetValue(limit),
                                null
                            ),
                            ct
                        );
                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(
                            JsonSerializer.Serialize(jobs.Select(JobResponse.From), JsonSerializerOptions.Web)
                        );
                        return 0;
                    }
                    Console.WriteLine(
                        $"{"ID", -36}  {"TYPE", -20} {"STATE", -9} {"TRIES", -5} {"UPDATED", -19}  LAST ERROR"
                    );
                    foreach (var j in jobs)
                    {
                        Console.WriteLine(
                            string.Create(
                                CultureInfo.InvariantCulture,
                                $"{j.Id, -36}  {j.Type, -20} {j.State, -9} {$"{j.Attempts}/{j.MaxAttempts}", -5} "
                                    + $"{j.UpdatedAt:yyyy-MM-dd HH:mm:ss}  {OneLine(j.LastError)}"
                            )
                        );
                    }
                    Console.WriteLine($"{jobs.Count} job{(jobs.Count == 1 ? "" : "s")}");
                    return 0;
                }));
        return command;
    }

    private static Command Retry() =>
        Change(
            "retry",
            "Queue a failed, dead or cancelled job again, with its " + "attempts reset",
            (store, id, now, ct) => store.RetryAsync(id, now, ct),
            "queued again"
        );

    private static Command Cancel() =>
        Change(
            "cancel",
            "Cancel a queued or failed job so it never runs",
            (store, id, now, ct) => store.CancelAsync(id, now, ct),
            "cancelled"
        );

    private static Command Change(
        string name,
        string description,
        Func<IJobStore, string, DateTimeOffset, CancellationToken, Task<JobRecord?>> change,
        string done
    )
    {
        var id = new Argument<string>("id") { Description = "The job's id (see jobs list)" };
        var command = new Command(name, description) { id };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var jobId = parse.GetValue(id)!;
                    try
                    {
                        var job = await change(
                            app.Services.GetRequiredService<IJobStore>(),
                            jobId,
                            app.Services.GetRequiredService<TimeProvider>().GetUtcNow(),
                            ct
                        ) ?? throw new NotFoundException("job", jobId);
                        Console.WriteLine($"Job {job.Id} ({job.Type}) {done}.");
                        return 0;
                    }
                    catch (ConflictException e)
                    {
                        return CliHost.UsageError(e.Message);
                    }
                }));
        return command;
    }

    private static string OneLine(string? text) =>
        text is null ? ""
        : text.ReplaceLineEndings(" ") is var line && line.Length > 80 ? line[..80] + "…"
        : line;
}
