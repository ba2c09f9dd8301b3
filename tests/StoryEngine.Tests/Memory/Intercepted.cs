using System.Collections.Concurrent;
using System.Reflection;

namespace StoryEngine.Tests.Memory;

/// <summary>
/// Wraps a store or log interface: every call is recorded (method name and arguments) and passed on, unless
/// <see cref="Before"/> answers it first (with a faulted task, say, for a write that fails as a crash would).
/// </summary>
public class Intercepted<T> : DispatchProxy
    where T : class
{
    private T _inner = null!;

    public ConcurrentQueue<(string Method, object?[] Arguments)> Calls { get; } = new();

    /// <summary>Sees each call first; a non-null result is returned instead of calling on.</summary>
    public Func<MethodInfo, object?[], object?>? Before { get; set; }

    public static (T Proxy, Intercepted<T> Calls) Wrap(T inner)
    {
        var proxy = Create<T, Intercepted<T>>();
        var interceptor = (Intercepted<T>)(object)proxy;
        interceptor._inner = inner;
        return (proxy, interceptor);
    }

    public IEnumerable<object?[]> CallsTo(string method) =>
        Calls.Where(c => c.Method == method).Select(c => c.Arguments);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        args ??= [];
        Calls.Enqueue((targetMethod.Name, args));
        if (Before?.Invoke(targetMethod, args) is { } answer)
        {
            return answer;
        }
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
