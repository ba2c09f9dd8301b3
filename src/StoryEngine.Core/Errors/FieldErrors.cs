namespace StoryEngine.Core.Errors;

/// <summary>Collects per-field validation messages, then throws them all at once.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    public void Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"{field} is required.");
        }
        else
        {
            MaxLength(field, value, maxLength);
        }
    }

    public void MaxLength(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            Add(field, $"{field} must be at most {maxLength} characters (got {value.Length}).");
        }
    }

    public void List(string field, IReadOnlyList<string>? values, int maxCount, int maxItemLength)
    {
        if (values is null)
        {
            return;
        }
        if (values.Count > maxCount)
        {
            Add(field, $"{field} may hold at most {maxCount} items (got {values.Count}).");
            return;
        }
        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]))
            {
                Add($"{field}[{i}]", "must not be empty.");
            }
            else if (values[i].Length > maxItemLength)
            {
                Add($"{field}[{i}]", $"must be at most {maxItemLength} characters.");
            }
        }
    }

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw new ValidationFailedException(
                _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal)
            );
        }
    }
}
