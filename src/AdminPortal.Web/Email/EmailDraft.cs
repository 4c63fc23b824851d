using AdminPortal.Data;
using AdminPortal.Data.Email;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Operators;

namespace AdminPortal.Web.Email;

/// <summary>
/// An email to send. <paramref name="Kind"/> says what it is (<c>download-link</c>, <c>test</c>), <paramref name="Target"/>
/// what it is about as the audit trail names it (<c>vpn-user:NAME</c>), <paramref name="CertificateSerial"/> the
/// certificate it concerns: the send result is audited with all three.
/// </summary>
public sealed record EmailDraft(
    string To, string Subject, string TextBody, string Kind, string? Target = null, string? CertificateSerial = null, string? HtmlBody = null,
    string? CreatedBy = null);

/// <summary>The durable outbox other features put their emails in.</summary>
public static class EmailOutbox
{
    /// <summary>
    /// Adds the message to the caller's DbContext: it is stored (and later sent) only if the caller's transaction
    /// commits, typically inside <c>AuditedWork.RunAsync</c> next to the change the email tells about. The senders
    /// are woken when it commits. Check the address with <see cref="CheckAddress"/> first: an invalid one throws.
    /// </summary>
    public static OutboxMessage Enqueue(PortalDbContext db, EmailDraft draft, DateTimeOffset? now = null)
    {
        if (CheckAddress(draft.To) is { } bad) throw new ArgumentException(bad.Detail, nameof(draft));
        var at = now ?? DateTimeOffset.UtcNow;
        var message = new OutboxMessage
        {
            Id = Guid.NewGuid(), To = draft.To, Subject = draft.Subject, TextBody = draft.TextBody, HtmlBody = draft.HtmlBody,
            Kind = draft.Kind, Target = draft.Target, CertificateSerial = draft.CertificateSerial, Status = OutboxStatus.Pending,
            NextAttemptAt = at, CreatedAt = at, CreatedBy = draft.CreatedBy,
        };
        db.OutboxMessages.Add(message);
        return message;
    }

    /// <summary>Null when <paramref name="to"/> is one plain email address; otherwise the error to show (field <c>to</c>).</summary>
    public static PortalError? CheckAddress(string? to, string field = "to") =>
        OperatorInput.Email(to) is InvalidInput e ? e with { Field = field } : null;
}
