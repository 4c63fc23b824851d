using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AdminPortal.Data;

/// <summary>
/// Every PostgreSQL advisory lock key the portal takes, in one place so that two features never pick the same number.
/// The keys are fixed forever: instances of different versions running side by side during an upgrade must agree.
/// </summary>
public static class AdvisoryLocks
{
    /// <summary>Transaction lock serializing every change of the certificate authorities: creating the root, adding the
    /// intermediate, the easy-rsa import and a restore (at most one CA, whichever instance asks).</summary>
    public const long CertificateAuthority = 7274002;

    /// <summary>Transaction lock serializing every decision about the first Admin, across instances (0x41646D500001, "AdmP" 1).</summary>
    public const long FirstAdmin = 0x41646D500001;

    /// <summary>API token revocation ("ApTk" in ASCII): listening instances hold it shared, a revoker takes it exclusively
    /// to learn that every instance has dropped its cached copy.</summary>
    public const long ApiTokenInvalidation = 0x4170546B;

    /// <summary>Session lock ("APmig" in ASCII) held while an instance looks for and applies migrations.</summary>
    public const long Migrations = 0x41506D6967;

    /// <summary>Takes a transaction-scoped lock (<c>pg_advisory_xact_lock</c>) in the context's current transaction.</summary>
    public static Task LockForTransactionAsync(this DatabaseFacade database, long key, CancellationToken ct) =>
        database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", ct);
}
