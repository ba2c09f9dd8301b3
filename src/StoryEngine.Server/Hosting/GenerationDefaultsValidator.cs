using Microsoft.Extensions.Options;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Generation;

namespace StoryEngine.Server.Hosting;

/// <summary>Refuses to start with a generation default out of range, naming the key
/// (<c>Narrator:Generation:temperature must be between 0 and 5</c>).</summary>
public sealed class GenerationDefaultsValidator : IValidateOptions<GenerationDefaults>
{
    public ValidateOptionsResult Validate(string? name, GenerationDefaults options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new FieldErrors();
        options.ToSettings().Validate(GenerationDefaults.Section + ":", errors);
        try
        {
            errors.ThrowIfAny();
            return ValidateOptionsResult.Success;
        }
        catch (ValidationFailedException e)
        {
            return ValidateOptionsResult.Fail(e.Errors.SelectMany(f => f.Value));
        }
    }
}
