using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Contracts;

namespace StoryEngine.Server.Apis;

/// <summary>
/// A list's <c>?fields=</c>: absent, items are summaries (<see cref="ResourceSummaryResponse"/>); a comma-separated
/// list of the full representation's field names adds those to each summary; <c>*</c> returns every field. Names are
/// checked against the full representation, so a typo is a 400 naming it rather than a silently missing field.
/// </summary>
public sealed class ListFields
{
    private ListFields(bool all, IReadOnlyList<string> names)
    {
        All = all;
        Names = names;
    }

    public bool All { get; }

    /// <summary>The extra fields asked for, in the order given (empty when <see cref="All"/>).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Null when the client asked for summaries only.</summary>
    public static ListFields? Parse<TResponse>(string? fields, JsonSerializerOptions options)
    {
        if (fields is null)
        {
            return null;
        }
        var names = fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names is ["*"])
        {
            return new ListFields(true, []);
        }
        var known = KnownNames(typeof(TResponse), options);
        var unknown = names.Where(n => !known.Contains(n)).ToArray();
        if (names.Length == 0 || unknown.Length > 0)
        {
            throw ValidationFailedException.For(
                "fields",
                (names.Length == 0 ? "fields is empty. " : $"Unknown field(s): {string.Join(", ", unknown)}. ")
                    + $"Use * for every field, or some of: {string.Join(", ", known.Order(StringComparer.Ordinal))}."
            );
        }
        return new ListFields(false, names.Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>The summary with the asked-for fields of <paramref name="full"/> added (or put in place, for the
    /// shortened description).</summary>
    public JsonObject Project(ResourceSummaryResponse summary, object full, JsonSerializerOptions options)
    {
        var whole = JsonSerializer.SerializeToNode(full, full.GetType(), options)!.AsObject();
        if (All)
        {
            return whole;
        }
        var item = JsonSerializer.SerializeToNode(summary, options)!.AsObject();
        foreach (var name in Names)
        {
            item[name] = whole[name]?.DeepClone();
        }
        return item;
    }

    private static HashSet<string> KnownNames(Type response, JsonSerializerOptions options) =>
        response
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => options.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name)
            .ToHashSet(StringComparer.Ordinal);
}
