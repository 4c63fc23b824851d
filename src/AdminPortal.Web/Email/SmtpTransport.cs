using System.Net.Sockets;
using AdminPortal.Data.Email;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AdminPortal.Web.Email;

public enum SendVerdict { Sent, Retry, Failed }

/// <summary>What one attempt came to; <paramref name="Error"/> is the SMTP status and text, or the fault (never a secret).</summary>
public sealed record SendResult(SendVerdict Verdict, string? Error = null);

/// <summary>
/// One message over SMTP with MailKit. 4xx, a refused or dropped connection and timeouts are worth retrying;
/// a 5xx answer, refused authentication or a server without the required TLS are not.
/// </summary>
public sealed class SmtpTransport(IOptions<EmailOptions> options)
{
    public async Task<SendResult> SendAsync(SmtpConnection smtp, OutboxMessage message, CancellationToken ct)
    {
        var timeout = options.Value.SendTimeout;
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        overall.CancelAfter(timeout * 4);
        using var client = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, Socket(smtp.Security), overall.Token);
            if (!string.IsNullOrEmpty(smtp.UserName)) await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", overall.Token);
            await client.SendAsync(Mime(smtp, message), overall.Token);
            await client.DisconnectAsync(true, CancellationToken.None);
            return new SendResult(SendVerdict.Sent);
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            return new SendResult(code >= 500 ? SendVerdict.Failed : SendVerdict.Retry, Clip($"SMTP {code}: {e.Message}"));
        }
        catch (AuthenticationException e)
        {
            return new SendResult(SendVerdict.Failed, Clip($"SMTP authentication refused: {e.Message}"));
        }
        catch (NotSupportedException e)
        {
            return new SendResult(SendVerdict.Failed, Clip($"The SMTP server does not support what the settings require: {e.Message}"));
        }
        catch (SocketException e)
        {
            return new SendResult(SendVerdict.Retry, $"Cannot connect to {smtp.Host}:{smtp.Port}: {e.SocketErrorCode}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SendResult(SendVerdict.Retry, $"Timed out talking to {smtp.Host}:{smtp.Port}");
        }
        catch (Exception e) when (e is IOException or TimeoutException or SmtpProtocolException or SslHandshakeException or ServiceNotConnectedException)
        {
            return new SendResult(SendVerdict.Retry, Clip($"{smtp.Host}:{smtp.Port}: {e.Message}"));
        }
    }

    private static SecureSocketOptions Socket(string security) => security switch
    {
        SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };

    private static MimeMessage Mime(SmtpConnection smtp, OutboxMessage m)
    {
        var body = new BodyBuilder { TextBody = m.TextBody, HtmlBody = m.HtmlBody };
        var message = new MimeMessage { Subject = m.Subject, Body = body.ToMessageBody() };
        message.From.Add(MailboxAddress.Parse(smtp.FromAddress));
        message.To.Add(MailboxAddress.Parse(m.To));
        // Stable across retries, so a receiver can tell a re-sent message (after a lost acknowledgement) from a new one.
        message.MessageId = $"{m.Id:N}@{smtp.FromAddress.Split('@')[1]}";
        return message;
    }

    private static string Clip(string s) => s.Length > 1000 ? s[..1000] : s;
}
