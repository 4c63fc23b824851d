using AdminPortal.Web.Errors;

namespace AdminPortal.Web.Mail;

/// <summary>
/// The mailbox exists already with this address. <see cref="SameData"/> tells a retry (same host and display name: the
/// earlier attempt went through) from a clash with another account.
/// </summary>
public sealed record MailboxAlreadyExists(string Address, string Host, bool SameData)
    : PortalError("Mailbox already exists",
        SameData ? $"The mailbox '{Address}' exists already on '{Host}' with these settings; nothing was changed."
            : $"The address '{Address}' is already taken (on '{Host}').", StatusCodes.Status409Conflict);

/// <summary>The mail host refused or failed a change (its message, never a password or hash); nothing was stored.</summary>
public sealed record MailHostFailed(string Host, string Message)
    : PortalError("The mail host failed", $"{Host}: {Message}", StatusCodes.Status502BadGateway);

/// <summary>The backend has no such operation (Archiveopteryx has no disable, no quota).</summary>
public sealed record BackendUnsupported(string Backend, string What)
    : PortalError("Not supported by this mail backend", $"The {Backend} backend cannot {What}.", StatusCodes.Status409Conflict);
