namespace StoryEngine.Core.Jobs;

/// <summary>One job type this server runs and the service that handles it (registered beside the handler, so the
/// types are known without building any handler).</summary>
public sealed record JobHandlerType(string Type, Type Handler);

/// <summary>
/// The job types this server runs and their handlers. A handler (and everything it depends on: tools, the rules
/// catalogue, backends) is built the first time a job of its type runs, not when the server starts (issue 19:
/// start-up); metrics and the queue gauges need only the type names.
/// </summary>
public sealed class JobHandlers
{
    private readonly Dictionary<string, Lazy<IJobHandler>> _handlers = new(StringComparer.Ordinal);

    /// <summary>Handlers resolved from <paramref name="services"/> on first use.</summary>
    public JobHandlers(IEnumerable<JobHandlerType> types, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(services);
        foreach (var type in types)
        {
            _handlers[type.Type] = new Lazy<IJobHandler>(
                () => Resolve(services, type),
                // The container makes one singleton whichever thread asks first; a failed build is not kept, so the
                // next job of the type tries again.
                LazyThreadSafetyMode.PublicationOnly
            );
        }
        Types = [.. _handlers.Keys.Order(StringComparer.Ordinal)];
    }

    private JobHandlers(IEnumerable<IJobHandler> handlers)
    {
        foreach (var handler in handlers)
        {
            _handlers[handler.Type] = new Lazy<IJobHandler>(handler);
        }
        Types = [.. _handlers.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Handlers that are already built.</summary>
    public static JobHandlers Of(params IEnumerable<IJobHandler> handlers) => new(handlers);

    /// <summary>Every job type, in ordinal order.</summary>
    public IReadOnlyList<string> Types { get; }

    /// <summary>Whether this server runs jobs of <paramref name="type"/> (builds nothing).</summary>
    public bool Runs(string type) => _handlers.ContainsKey(type);

    /// <summary>The handler for <paramref name="type"/>, built now if this is its first job.</summary>
    public IJobHandler Get(string type) => _handlers[type].Value;

    private static IJobHandler Resolve(IServiceProvider services, JobHandlerType type)
    {
        var handler =
            services.GetService(type.Handler) as IJobHandler
            ?? throw new InvalidOperationException($"No job handler service {type.Handler} for '{type.Type}'.");
        return handler.Type == type.Type
            ? handler
            : throw new InvalidOperationException(
                $"The handler {type.Handler} runs '{handler.Type}', but was registered for '{type.Type}'."
            );
    }
}
