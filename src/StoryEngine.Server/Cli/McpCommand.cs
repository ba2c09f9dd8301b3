using System.CommandLine;
using System.Text.Json;
using ModelContextProtocol.Server;
using StoryEngine.Core.Agents;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Server.Hosting;
using StoryEngine.Server.Mcp;

namespace StoryEngine.Server.Cli;

/// <summary>
/// <c>storyengine mcp</c>: the MCP server over stdio, for desktop clients that start it as a process (docs/mcp.md).
/// It acts with an API key, as <c>/mcp</c> does, so the key's scopes decide what its tools may do. stdout carries only
/// the protocol; logs go to stderr.
/// <c>storyengine tools list|call</c>: the same tools from the terminal, as an account with every scope.
/// </summary>
public static partial class McpCommand
{
    public const string KeyVariable = "STORYENGINE_API_KEY";

    public static Command Create()
    {
        var key = new Option<string?>("--api-key")
        {
            Description = $"The API key to act with (default: the {KeyVariable} environment variable)",
        };
        var command = new Command("mcp", "Run the MCP server over stdio (for desktop MCP clients)") { key };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var secret = parse.GetValue(key) ?? Environment.GetEnvironmentVariable(KeyVariable);
                    if (string.IsNullOrWhiteSpace(secret))
                    {
                        throw new CliUsageException($"give an API key with --api-key or {KeyVariable}.");
                    }
                    var principal = await app
                        .Services.GetRequiredService<ApiKeyService>()
                        .AuthenticateAsync(secret, ct);
                    if (principal is null)
                    {
                        throw new CliUsageException(
                            "the API key is unknown, revoked or expired, or its account is disabled."
                        );
                    }
                    var handlers = McpHandlers.ForKey(secret);
                    var options = new McpServerOptions
                    {
                        ServerInfo = new()
                        {
                            Name = "storyengine",
                            Version = AgentsServiceCollectionExtensions.Version(),
                        },
                        ServerInstructions = AgentsServiceCollectionExtensions.McpInstructions,
                        Handlers = new McpServerHandlers
                        {
                            ListToolsHandler = handlers.ListToolsAsync,
                            CallToolHandler = handlers.CallToolAsync,
                            ListResourcesHandler = handlers.Resources.ListAsync,
                            ListResourceTemplatesHandler = handlers.Resources.ListTemplatesAsync,
                            ReadResourceHandler = handlers.Resources.ReadAsync,
                            ListPromptsHandler = handlers.Prompts.ListAsync,
                            GetPromptHandler = handlers.Prompts.GetAsync,
                        },
                    };
                    var loggers = app.Services.GetRequiredService<ILoggerFactory>();
                    LogStarted(
                        loggers.CreateLogger("StoryEngine.Server.Cli.McpCommand"),
                        principal.Username,
                        principal.Scopes.Count
                    );
                    await using var transport = new StdioServerTransport(options, loggers);
                    await using var server = McpServer.Create(transport, options, loggers, app.Services);
                    await server.RunAsync(ct);
                    return 0;
                }));
        return command;
    }

    public static Command Tools()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var list = new Command("list", "List the tools MCP clients and the narrator are offered") { json };
        list.SetAction((parse, ct) => CliHost.RunAsync(parse, app =>
                {
                    var tools = app.Services.GetRequiredService<ToolRegistry>().For(ToolAudience.Both);
                    if (parse.GetValue(json))
                    {
                        Console.WriteLine(
                            JsonSerializer.Serialize(
                                tools.Select(t => new
                                {
                                    t.Name,
                                    t.Description,
                                    t.Scope,
                                    Audience = t.Audience.ToString(),
                                    t.InputSchema,
                                }),
                                JsonSerializerOptions.Web
                            )
                        );
                        return Task.FromResult(0);
                    }
                    foreach (var t in tools)
                    {
                        Console.WriteLine($"{t.Name, -22} {t.Scope, -6} {t.Audience, -9} {t.Description}");
                    }
                    return Task.FromResult(0);
                }));
        var name = new Argument<string>("tool") { Description = "The tool's name (see: storyengine tools list)" };
        var arguments = new Option<string>("--args")
        {
            Description = "The arguments as a JSON object",
            DefaultValueFactory = _ => "{}",
        };
        var call = new Command("call", "Call a tool as an account (every scope) and print its JSON result")
        {
            name,
            arguments,
            AdventuresCommand.User,
        };
        call.SetAction((parse, ct) => CliHost.RunAsync(parse, async app =>
                {
                    var owner = await AdventuresCommand.OwnerAsync(
                        app.Services,
                        parse.GetValue(AdventuresCommand.User)!,
                        ct
                    );
                    JsonElement args;
                    try
                    {
                        args = JsonDocument.Parse(parse.GetValue(arguments)!).RootElement.Clone();
                    }
                    catch (JsonException e)
                    {
                        throw new CliUsageException($"--args is not JSON: {e.Message}");
                    }
                    var result = await app
                        .Services.GetRequiredService<ToolRegistry>()
                        .InvokeAsync(
                            parse.GetValue(name)!,
                            new ToolCall(args, ToolCaller.WithAllScopes(owner.Id), app.Services),
                            ToolAudience.Clients,
                            ct
                        );
                    Console.WriteLine(result.Text);
                    return result.IsError ? 1 : 0;
                }));
        return new Command("tools", "The agent tools (issue 22): list them, or call one") { list, call };
    }

    [LoggerMessage(
        EventId = Core.LogEvents.Mcp.StdioStarted,
        Level = LogLevel.Information,
        Message = "MCP server on stdio for {Username} with {Scopes} scopes"
    )]
    private static partial void LogStarted(ILogger logger, string username, int scopes);
}
