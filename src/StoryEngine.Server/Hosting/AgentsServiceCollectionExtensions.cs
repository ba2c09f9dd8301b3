using Microsoft.Extensions.Options;
using StoryEngine.Core.Agents;
using StoryEngine.Core.Agents.Director;
using StoryEngine.Core.Agents.Evaluation;
using StoryEngine.Server.Mcp;

namespace StoryEngine.Server.Hosting;

public static class AgentsServiceCollectionExtensions
{
    /// <summary>The tool registry (issue 22) and the MCP server over streamable HTTP (<c>/mcp</c>,
    /// docs/mcp.md).</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        foreach (var tool in StoryTools.All())
        {
            services.AddSingleton(tool);
        }
        services.AddSingleton<ToolRegistry>();
        services.AddSingleton<NarratorTools>();
        // Evaluations of every completed narration (Evaluation:*), and their summary for admins.
        services
            .AddOptions<EvaluationOptions>()
            .BindConfiguration(EvaluationOptions.Section)
            .Validate(o => o.RecentTurns is >= 0 and <= 50, "Evaluation:RecentTurns must be from 0 to 50.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EvaluationOptions>>().Value);
        services.AddSingleton<ContradictionJudge>();
        services.AddJobHandler<TurnEvaluationJob>(TurnEvaluationJob.JobType);
        services.AddSingleton<Core.Narration.INarrationObserver, EvaluationObserver>();
        services.AddSingleton<IEvaluationStore, Storage.Evaluations.EvaluationStore>();
        services.AddSingleton<EvaluationSummary>();
        // The director: goals and tasks as events, reviews every few turns (Director:*).
        services
            .AddOptions<DirectorOptions>()
            .BindConfiguration(DirectorOptions.Section)
            .Validate(o => o.EveryTurns is >= 1 and <= 1000, "Director:EveryTurns must be from 1 to 1000.")
            .Validate(o => o.MaxTurnsPerReview is >= 1 and <= 50, "Director:MaxTurnsPerReview must be from 1 to 50.")
            .Validate(o => o.MaxGoals is >= 1 and <= 200, "Director:MaxGoals must be from 1 to 200.")
            .Validate(o => o.MaxTasks is >= 1 and <= 100, "Director:MaxTasks must be from 1 to 100.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DirectorOptions>>().Value);
        services.AddSingleton<GoalBoards>();
        services.AddSingleton<GoalService>();
        services.AddJobHandler<DirectorJob>(DirectorJob.JobType);
        services.AddSingleton<Core.Narration.INarrationObserver, DirectorObserver>();
        services.AddHttpContextAccessor();
        services.AddSingleton<McpGenerationLimit>();
        var handlers = McpHandlers.ForHttp();
        // Stateless (the SDK's default): any node can answer any request, as the API's can.
        services
            .AddMcpServer(o =>
            {
                o.ServerInfo = new() { Name = "storyengine", Version = Version() };
                o.ServerInstructions = McpInstructions;
            })
            .WithHttpTransport(o => o.Stateless = true)
            .WithListToolsHandler(handlers.ListToolsAsync)
            .WithCallToolHandler(handlers.CallToolAsync)
            .WithListResourcesHandler(handlers.Resources.ListAsync)
            .WithListResourceTemplatesHandler(handlers.Resources.ListTemplatesAsync)
            .WithReadResourceHandler(handlers.Resources.ReadAsync)
            .WithListPromptsHandler(handlers.Prompts.ListAsync)
            .WithGetPromptHandler(handlers.Prompts.GetAsync);
        return services;
    }

    /// <summary><c>/mcp</c>: signed in (an API key or an access token), under the API's rate limit.</summary>
    public static WebApplication MapStoryMcp(this WebApplication app)
    {
        app.MapMcp("/mcp")
            .RequireAuthorization()
            .RequireRateLimiting(ProtectionServiceCollectionExtensions.ApiPolicy)
            .WithName("Mcp")
            .WithSummary("The MCP server (streamable HTTP): tools, resources and prompts; docs/mcp.md")
            .ExcludeFromDescription();
        return app;
    }

    public const string McpInstructions =
        "Story Engine runs AI-narrated adventures in worlds the user built. Find a world with list_worlds, start an "
        + "adventure with start_adventure, then play with take_turn (kind 'do' for actions, 'say' for speech) and "
        + "show the user the narration. search_lore and get_state answer questions about the world.";

    internal static string Version() =>
        typeof(AgentsServiceCollectionExtensions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
