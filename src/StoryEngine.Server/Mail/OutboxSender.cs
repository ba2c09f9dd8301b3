using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using StoryEngine.Core;
using StoryEngine.Core.PasswordReset;
using StoryEngine.Core.Secrets;

namespace StoryEngine.Server.Mail;

/// <summary>
/// Delivers the outbox by SMTP (System.Net.Mail) when <c>Smtp:Host</c> is set. A failed send is retried with a growing
/// delay; the message stays in the table until it goes out, so nothing is lost to an SMTP outage or a restart.
/// Recipients and bodies are never logged (a reset mail holds a live token).
/// </summary>
public sealed partial class OutboxSender(
    IOutbox outbox,
    SecretBox box,
    IOptions<SmtpOptions> options,
    OutboxSignal signal,
    TimeProvider clock,
    ILogger<OutboxSender> logger
) : BackgroundService
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var smtp = options.Value;
        if (!smtp.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(smtp, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (System.Data.Common.DbException e)
            {
                LogDatabaseFailed(e.Message);
            }
            await signal.WaitAsync(TimeSpan.FromSeconds(smtp.PollSeconds), stoppingToken);
        }
    }

    private async Task SendDueAsync(SmtpOptions smtp, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var message in await outbox.ClaimDueAsync(now, now + Lease, 20, cancellationToken))
        {
            try
            {
                await SendAsync(smtp, message, cancellationToken);
                await outbox.MarkSentAsync(message.Id, clock.GetUtcNow(), CancellationToken.None);
                LogSent(message.Id, message.Kind);
            }
            catch (Exception e)
                when (e
                        is SmtpException
                            or IOException
                            or System.Net.Sockets.SocketException
                            or InvalidOperationException
                            or SecretBoxException
                )
            {
                var delay = TimeSpan.FromSeconds(
                    Math.Min(MaxBackoff.TotalSeconds, 30 * Math.Pow(2, Math.Min(message.Attempts - 1, 10)))
                );
                await outbox.MarkFailedAsync(
                    message.Id,
                    e.GetType().Name + ": " + e.Message,
                    clock.GetUtcNow() + delay,
                    CancellationToken.None
                );
                LogSendFailed(message.Id, message.Attempts, e.Message, (int)delay.TotalSeconds);
            }
        }
    }

    private async Task SendAsync(SmtpOptions smtp, OutboxMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient(smtp.Host!, smtp.Port)
        {
            EnableSsl = smtp.Tls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
        };
        if (!string.IsNullOrEmpty(smtp.User))
        {
            client.Credentials = new NetworkCredential(smtp.User, box.OpenConfigurationValue(smtp.Password ?? ""));
        }
        using var mail = new MailMessage(smtp.From!, message.Recipient, message.Subject, box.Open(message.SealedBody))
        {
            BodyEncoding = System.Text.Encoding.UTF8,
            // Base64 keeps the link whole: quoted-printable would fold it and turn '=' into '=3D' for readers that do
            // not decode.
            BodyTransferEncoding = System.Net.Mime.TransferEncoding.Base64,
        };
        await client.SendMailAsync(mail, cancellationToken);
    }

    [LoggerMessage(
        EventId = LogEvents.Mail.OutboxSent,
        Level = LogLevel.Information,
        Message = "Outbox message {Id} ({Kind}) sent."
    )]
    private partial void LogSent(string id, string kind);

    [LoggerMessage(
        EventId = LogEvents.Mail.OutboxSendFailed,
        Level = LogLevel.Warning,
        Message = "Outbox message " + "{Id} failed on attempt {Attempt}: {Error}. Retrying in {Seconds} s."
    )]
    private partial void LogSendFailed(string id, int attempt, string error, int seconds);

    [LoggerMessage(
        EventId = LogEvents.Mail.OutboxUnreadable,
        Level = LogLevel.Warning,
        Message = "The outbox could " + "not be read: {Error}."
    )]
    private partial void LogDatabaseFailed(string error);
}

/// <summary>Wakes the sender when a mail is queued by this process, so a reset mail leaves at once rather than at the
/// next poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up is enough.
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _signal.WaitAsync(timeout, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
