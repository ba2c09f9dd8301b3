using System.Security.Claims;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using StoryEngine.Core.Agents;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Server.Auth;

namespace StoryEngine.Server.Mcp;

/// <summary>
/// What the MCP server answers, for both transports (<c>/mcp</c> and <c>storyengine mcp</c>): the tools of the shared
/// registry (docs/adr/0048-one-tool-registry.md), resources (<see cref="McpResources"/>) and prompts
/// (<see cref="McpPrompts"/>). The caller comes from the request's user over HTTP (an API key's scopes, or every
/// scope for a signed-in session) and from the key given to <c>storyengine mcp</c> over stdio.
/// </summary>
public sealed class McpHandlers(
    Func<MessageContext, CancellationToken, ValueTask<ToolCaller>> callerOf,
    bool limitGeneration
)
{
    /// <summary>Over HTTP: the authenticated user of the request (the endpoint requires one).</summary>
    public static McpHandlers ForHttp() =>
        new((request, _) => ValueTask.FromResult(CallerOf(request.User)), limitGeneration: true);

    /// <summary>Over stdio: the account and scopes of the API key the command was started with, checked again on
    /// every request (cached as for HTTP), so revoking the key stops a running <c>storyengine mcp</c> too.</summary>
    public static McpHandlers ForKey(string key) =>
        new(
            async (request, cancellationToken) =>
            {
                var principal = await request
                    .Services!.GetRequiredService<ApiKeyService>()
                    .AuthenticateAsync(key, cancellationToken)
                    ?? throw new McpException(
                        "The API key is unknown, revoked or expired, or its account is disabled."
                    );
                return new ToolCaller(principal.UserId, principal.Scopes.ToHashSet(StringComparer.Ordinal));
            },
            limitGeneration: false
        );

    public static ToolCaller CallerOf(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            throw new McpException("Sign-in required: send an API key as a Bearer token.");
        }
        var scopes = user.IsApiKey()
            ? user.FindAll(ApiKeyClaims.Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal)
            : ApiKeyScopes.All.ToHashSet(StringComparer.Ordinal);
        return new ToolCaller(user.UserId(), scopes);
    }

    public ValueTask<ListToolsResult> ListToolsAsync(
        RequestContext<ListToolsRequestParams> request,
        CancellationToken cancellationToken
    )
    {
        var registry = request.Services!.GetRequiredService<ToolRegistry>();
        return ValueTask.FromResult(
            new ListToolsResult
            {
                Tools =
                [
                    .. registry
                        .For(ToolAudience.Clients)
                        .Select(t => new Tool
                        {
                            Name = t.Name,
                            Description = t.Description,
                            InputSchema = t.InputSchema,
                            Annotations = new ToolAnnotations
                            {
                                ReadOnlyHint = t.ReadOnly,
                                DestructiveHint = false,
                                OpenWorldHint = false,
                            },
                        }),
                ],
            }
        );
    }

    public async ValueTask<CallToolResult> CallToolAsync(
        RequestContext<CallToolRequestParams> request,
        CancellationToken cancellationToken
    )
    {
        var services = request.Services!;
        var registry = services.GetRequiredService<ToolRegistry>();
        var name = request.Params?.Name ?? "";
        var arguments = JsonSerializer.SerializeToElement(
            request.Params?.Arguments ?? new Dictionary<string, JsonElement>()
        );
        var caller = await callerOf(request, cancellationToken);
        if (
            limitGeneration
            && name == "take_turn"
            && !await services.GetRequiredService<McpGenerationLimit>().TryAcquireAsync(cancellationToken)
        )
        {
            return Error(ToolResult.Error("rate_limited", "Slow down: too many turns this minute; try again soon."));
        }
        var progress = request.Params?.ProgressToken is { } token ? new McpProgress(request.Server, token) : null;
        var result = await registry.InvokeAsync(
            name,
            new ToolCall(arguments, caller, services, null, progress),
            ToolAudience.Clients,
            cancellationToken
        );
        if (progress is not null)
        {
            await progress.DrainAsync(); // every notification goes out before the result
        }
        return result.IsError
            ? Error(result)
            : new CallToolResult
            {
                Content = [new TextContentBlock { Text = result.Text }],
                StructuredContent = result.Content is System.Text.Json.Nodes.JsonObject o
                    ? JsonSerializer.SerializeToElement(o)
                    : null,
            };
    }

    public McpResources Resources => new(callerOf);

    public McpPrompts Prompts => new(callerOf);

    private static CallToolResult Error(ToolResult result) =>
        new() { IsError = true, Content = [new TextContentBlock { Text = result.Text }] };
}

/// <summary>Sends take_turn's text as MCP progress notifications, in order, one after another.</summary>
internal sealed class McpProgress(McpServer server, ProgressToken token) : IProgress<ToolProgress>
{
    private readonly Lock _lock = new();
    private Task _tail = Task.CompletedTask;

    public void Report(ToolProgress value)
    {
        lock (_lock)
        {
            _tail = SendAfterAsync(_tail, value);
        }
    }

    public Task DrainAsync()
    {
        lock (_lock)
        {
            return _tail;
        }
    }

    private async Task SendAfterAsync(Task previous, ToolProgress value)
    {
        await previous;
        try
        {
            await server.NotifyProgressAsync(
                token,
                new ProgressNotificationValue { Progress = value.Step, Message = value.Text },
                cancellationToken: CancellationToken.None
            );
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away: the turn goes on and is stored; there is nobody left to tell.
        }
    }
}
