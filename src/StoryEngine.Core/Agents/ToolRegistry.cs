using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Agents;

/// <summary>
/// The tools, declared once (<see cref="StoryTools"/>) and offered to the narrator, the MCP server and the CLI alike
/// (docs/adr/0048-one-tool-registry.md). Every call goes through <see cref="InvokeAsync"/>: the scope is checked before
/// the handler runs, and a refusal or a failure comes back as a tool error with a stable code, never as an exception.
/// </summary>
public sealed partial class ToolRegistry(IEnumerable<AgentTool> tools, ILogger<ToolRegistry> logger)
{
    private readonly Dictionary<string, AgentTool> _tools = tools.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IReadOnlyList<AgentTool> For(ToolAudience audience) =>
        [.. _tools.Values.Where(t => (t.Audience & audience) != 0).OrderBy(t => t.Name, StringComparer.Ordinal)];

    public AgentTool? Find(string name, ToolAudience audience) =>
        _tools.TryGetValue(name, out var tool) && (tool.Audience & audience) != 0 ? tool : null;

    /// <summary>Runs a tool for a caller. Unknown tools, missing scopes, bad arguments and refusals of the domain
    /// (not found, quota, a turn in progress) are tool errors.</summary>
    public async Task<ToolResult> InvokeAsync(
        string name,
        ToolCall call,
        ToolAudience audience,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(call);
        var started = Stopwatch.GetTimestamp();
        ToolResult result;
        try
        {
            var tool = Find(name, audience) ?? throw new UnknownToolException(name);
            if (!call.Caller.Has(tool.Scope))
            {
                throw new ToolScopeException(tool.Name, tool.Scope);
            }
            result = ToolResult.Ok(await tool.Handler(call, cancellationToken));
        }
        catch (ValidationFailedException e)
        {
            result = ToolResult.Error(
                e.Code,
                string.Join(
                    " ",
                    e.Errors.SelectMany(f =>
                        f.Value.Select(m => m.StartsWith(f.Key, StringComparison.Ordinal) ? m : $"{f.Key}: {m}")
                    )
                )
            );
        }
        catch (StoryEngineException e)
        {
            result = ToolResult.Error(e.Code, e.Message);
        }
        catch (System.Text.Json.JsonException e)
        {
            result = ToolResult.Error("validation_failed", $"The arguments do not fit the tool's schema: {e.Message}");
        }
        LogToolCalled(
            logger,
            name,
            call.Caller.OwnerId,
            result.ErrorCode ?? "ok",
            Stopwatch.GetElapsedTime(started).TotalMilliseconds
        );
        return result;
    }

    [LoggerMessage(
        EventId = LogEvents.Agents.ToolCalled,
        Level = LogLevel.Debug,
        Message = "Tool {Tool} called for {OwnerId}: {Outcome} in {ElapsedMs} ms"
    )]
    private static partial void LogToolCalled(
        ILogger logger,
        string tool,
        string ownerId,
        string outcome,
        double elapsedMs
    );
}
