using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Usage;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>users tier NAME TIER</c>, <c>users quota NAME [--daily N] [--monthly N]</c> and <c>usage [--user NAME]</c>: the
/// operator's side of tiers and usage, through the same services as the admin API (audited, actor: the console).
/// </summary>
public static class UsageCommands
{
    public static Command Tier()
    {
        var username = new Argument<string>("name") { Description = "The username" };
        var tier = new Argument<string>("tier") { Description = "A tier configured under Tiers (or the default tier)" };
        var command = new Command("tier", "Put an account on a tier: its token quotas and rate " + "limits")
        {
            username,
            tier,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var user = await FindAsync(app, parse.GetValue(username)!, ct);
                    try
                    {
                        var changed = await app
                            .Services.GetRequiredService<TierAdministration>()
                            .SetTierAsync(null, user.Id, parse.GetValue(tier), RequestOrigin.Console, ct);
                        Console.WriteLine($"'{changed.Username}' is on tier '{changed.Tier}'.");
                        return 0;
                    }
                    catch (ValidationFailedException e)
                    {
                        return CliHost.UsageError(string.Join(" ", e.Errors.SelectMany(f => f.Value)));
                    }
                }));
        return command;
    }

    public static Command Quota()
    {
        var username = new Argument<string>("name") { Description = "The username" };
        var daily = new Option<long?>("--daily")
        {
            Description = "Tokens a day for this account alone; leave out " + "for the tier's",
        };
        var monthly = new Option<long?>("--monthly")
        {
            Description = "Tokens a month for this account alone; leave " + "out for the tier's",
        };
        var command = new Command(
            "quota",
            "Give an account token quotas of its own (without options: back to its " + "tier's)"
        )
        {
            username,
            daily,
            monthly,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    var user = await FindAsync(app, parse.GetValue(username)!, ct);
                    try
                    {
                        var changed = await app
                            .Services.GetRequiredService<TierAdministration>()
                            .SetQuotaAsync(
                                null,
                                user.Id,
                                parse.GetValue(daily),
                                parse.GetValue(monthly),
                                RequestOrigin.Console,
                                ct
                            );
                        Console.WriteLine(
                            $"'{changed.Username}': daily {Show(changed.DailyTokenQuota)}, monthly "
                                + $"{Show(changed.MonthlyTokenQuota)}."
                        );
                        return 0;
                    }
                    catch (ValidationFailedException e)
                    {
                        return CliHost.UsageError(string.Join(" ", e.Errors.SelectMany(f => f.Value)));
                    }
                }));
        return command;
    }

    public static Command Usage()
    {
        var user = new Option<string?>("--user")
        {
            Description = "One account's usage by day and by model (default: " + "every account's totals)",
        };
        var from = new Option<string?>("--from")
        {
            Description = "First UTC day, yyyy-MM-dd (default: the first of " + "this month)",
        };
        var to = new Option<string?>("--to") { Description = "Last UTC day, yyyy-MM-dd (default: today)" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("usage", "Model usage from the usage ledger: tokens, calls and " + "cost")
        {
            user,
            from,
            to,
            json,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    await StoryEngineHost.MigrateIfConfiguredAsync(app.Services, ct);
                    UsageRange range;
                    try
                    {
                        range = UsageRange.Parse(
                            parse.GetValue(from),
                            parse.GetValue(to),
                            app.Services.GetRequiredService<TimeProvider>().GetUtcNow()
                        );
                    }
                    catch (ValidationFailedException e)
                    {
                        return CliHost.UsageError(string.Join(" ", e.Errors.SelectMany(f => f.Value)));
                    }
                    var ledger = app.Services.GetRequiredService<IUsageLedger>();
                    if (parse.GetValue(user) is { } name)
                    {
                        var account = await FindAsync(app, name, ct);
                        var status = await app.Services.GetRequiredService<UsageMeter>().StatusAsync(account, ct);
                        var breakdown = await ledger.BreakdownAsync(account.Id, range.From, range.To, ct);
                        if (parse.GetValue(json))
                        {
                            Console.WriteLine(
                                JsonSerializer.Serialize(
                                    MyUsageResponse.Create(range, status, breakdown),
                                    JsonSerializerOptions.Web
                                )
                            );
                            return 0;
                        }
                        Console.WriteLine($"{account.Username}, tier {status.Tier}, {range.From} to {range.To}");
                        Console.WriteLine($"{"DAY", -12} {"CALLS", 8} {"PROMPT", 12} {"COMPLETION", 12} {"COST", 12}");
                        foreach (var day in breakdown.ByDay)
                        {
                            Console.WriteLine(Line(day.Day, day.Totals));
                        }
                        Console.WriteLine($"{"MODEL", -12}");
                        foreach (var model in breakdown.ByModel)
                        {
                            Console.WriteLine(Line($"{model.Backend}/{model.Model}", model.Totals));
                        }
                        Console.WriteLine($"{"PURPOSE", -12}");
                        foreach (var purpose in breakdown.ByPurpose)
                        {
                            Console.WriteLine(Line(purpose.Purpose, purpose.Totals));
                        }
                        Console.WriteLine(Line("total", breakdown.Totals));
                        return 0;
                    }
                    var lines = new List<UserUsage>();
                    string? after = null;
                    do
                    {
                        var page = await ledger.ByUserAsync(range.From, range.To, 200, after, ct);
                        lines.AddRange(page.Items);
                        after = page.NextCursor is null ? null : page.Items[^1].UserId;
                    } while (after is not null);
                    var tiers = app.Services.GetRequiredService<TierCatalog>();
                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(
                            JsonSerializer.Serialize(
                                new AdminUsageResponse(
                                    range.From,
                                    range.To,
                                    lines
                                        .Select(l => new UserUsageResponse(
                                            l.UserId,
                                            l.Username,
                                            tiers.Resolve(l.Tier).Name,
                                            UsageTotalsResponse.From(l.Totals)
                                        ))
                                        .ToArray(),
                                    null
                                ),
                                JsonSerializerOptions.Web
                            )
                        );
                        return 0;
                    }
                    Console.WriteLine($"{range.From} to {range.To}");
                    Console.WriteLine($"{"USERNAME", -32} {"CALLS", 8} {"PROMPT", 12} {"COMPLETION", 12} {"COST", 12}");
                    foreach (var line in lines)
                    {
                        Console.WriteLine(Line(line.Username ?? line.UserId, line.Totals, 32));
                    }
                    Console.WriteLine(
                        Line("total", lines.Aggregate(UsageTotals.Zero, (sum, l) => sum.Plus(l.Totals)), 32)
                    );
                    return 0;
                }));
        return command;
    }

    private static async Task<User> FindAsync(WebApplication app, string name, CancellationToken ct) =>
        await app.Services.GetRequiredService<IUserStore>().FindByUsernameAsync(name, ct)
        ?? throw new CliUsageException($"No account named '{name}'. `storyengine users list` shows them all.");

    private static string Line(string label, UsageTotals t, int width = 12) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{label.PadRight(width)} {t.Calls, 8} {t.PromptTokens, 12} {t.CompletionTokens, 12} "
                + $"{t.CostMicros / 1_000_000m, 12:0.######}"
        );

    private static string Show(long? quota) => quota?.ToString("N0", CultureInfo.InvariantCulture) ?? "the tier's";
}
