using System.Threading.Channels;

namespace AdminPortal.Web.Pki;

/// <summary>A new CRL was committed; <paramref name="RevokedUser"/> is the user whose certificate it revokes, when one was revoked.</summary>
public sealed record CrlChange(string Cause, string? RevokedUser = null);

/// <summary>
/// Tells the CRL distribution (VPN servers) about every committed CRL change, after the commit: it pushes the new CRL and
/// ends the revoked user's sessions in the background, so a slow or dead server never holds up a revocation.
/// </summary>
public sealed class CrlChanges
{
    private readonly Channel<CrlChange> _changes = Channel.CreateUnbounded<CrlChange>(new UnboundedChannelOptions { SingleReader = true });

    public void Committed(CrlChange change) => _changes.Writer.TryWrite(change);

    public ChannelReader<CrlChange> Reader => _changes.Reader;
}
