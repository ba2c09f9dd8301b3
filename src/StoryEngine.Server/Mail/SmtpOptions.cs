using Microsoft.Extensions.Options;

namespace StoryEngine.Server.Mail;

/// <summary>Settings under <c>Smtp</c>. Mail is sent only when <see cref="Host"/> is set; otherwise it waits in the
/// outbox.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>The sender address, required when <see cref="Host"/> is set.</summary>
    public string? From { get; set; }

    public string? User { get; set; }

    /// <summary>May be given encrypted as <c>enc:v1:...</c> (storyengine secrets encrypt).</summary>
    public string? Password { get; set; }

    /// <summary>STARTTLS on the connection. On by default; turn off only for a relay on the same host.</summary>
    public bool Tls { get; set; } = true;

    /// <summary>How often the outbox is looked at when no new mail woke the sender.</summary>
    public int PollSeconds { get; set; } = 15;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"Smtp:Port must be between 1 and 65535 (got {options.Port}).");
        }
        if (string.IsNullOrWhiteSpace(options.From) || !System.Net.Mail.MailAddress.TryCreate(options.From, out _))
        {
            failures.Add(
                "Smtp:From must be the sender's address (for example stories@example.com) when Smtp:Host " + "is set."
            );
        }
        if (options.PollSeconds is < 1 or > 3600)
        {
            failures.Add($"Smtp:PollSeconds must be between 1 and 3600 (got {options.PollSeconds}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
