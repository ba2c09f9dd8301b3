using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace StoryEngine.Server.Web;

/// <summary>
/// What one form on a page shows after its post failed (issue 18, "nothing typed is lost"): the values the person
/// sent instead of the stored ones, each field's complaint next to it, and, when the thing was changed elsewhere
/// meanwhile, the conflict's two ways out. A page gets one per form from <see cref="StoryPageModel.Echo"/>; the
/// <c>echo</c> attribute (<see cref="FormEchoTagHelper"/>) applies it to a field. A form that was not the one posted,
/// or a page that did not fail, gets <see cref="None"/>, and its fields show what is stored.
/// </summary>
public sealed class FormEcho
{
    public static readonly FormEcho None = new(null, null, "");

    private readonly IFormCollection? _posted;
    private readonly PageProblem? _problem;

    public FormEcho(IFormCollection? posted, PageProblem? problem, string theirsUrl)
    {
        _posted = posted;
        _problem = problem;
        TheirsUrl = theirsUrl;
    }

    /// <summary>This form was posted and refused: its fields show what was sent.</summary>
    public bool Posted => _posted is not null;

    /// <summary>This form was refused because the thing changed since it was loaded.</summary>
    public bool Conflict => Posted && _problem?.Conflict == true;

    /// <summary>Where "See theirs" goes: the page as it is stored now, without the handler.</summary>
    public string TheirsUrl { get; }

    /// <summary>What was sent in <paramref name="field"/>, or <paramref name="stored"/> when this form was not
    /// posted.</summary>
    public string? Value(string field, string? stored) => _posted is null ? stored : _posted[field].ToString();

    /// <summary>Every value sent in <paramref name="field"/> (check boxes, multiple selects), or null when this form
    /// was not posted.</summary>
    public StringValues? Values(string field) => _posted?[field];

    /// <summary>The complaints about <paramref name="key"/> and its parts ("tags" takes "tags[2]" too).</summary>
    public IReadOnlyList<string> ErrorsFor(string key)
    {
        if (!Posted || _problem is null)
        {
            return [];
        }
        return _problem
            .Fields.Where(f =>
                f.Key.Equals(key, StringComparison.OrdinalIgnoreCase)
                || (
                    f.Key.StartsWith(key, StringComparison.OrdinalIgnoreCase)
                    && f.Key.Length > key.Length
                    && f.Key[key.Length] is '[' or '.'
                )
            )
            .SelectMany(f => f.Value)
            .ToArray();
    }
}
