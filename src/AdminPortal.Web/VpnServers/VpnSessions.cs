using AdminPortal.Data.Audit;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.VpnServers;

/// <summary>Connected clients of a VPN server and kicking one (<c>client-kill ID HALT</c>), audited.</summary>
public sealed class VpnSessions(VpnServerService servers, VpnManagement management, AuditedWork work)
{
    public async Task<Result<IReadOnlyList<VpnClient>>> ClientsAsync(string name, CancellationToken ct)
    {
        var server = await servers.LoadAsync(name, ct);
        if (server is null) return new NotFound("VPN server", name);
        return await management.StatusAsync(server, ct);
    }

    public async Task<Result<VpnClient>> KickAsync(string name, string clientId, AuditActor actor, CancellationToken ct)
    {
        var server = await servers.LoadAsync(name, ct);
        if (server is null) return new NotFound("VPN server", name);
        if (!long.TryParse(clientId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            return new NotFound("Client", InputText.Printable(clientId));
        var status = await management.StatusAsync(server, ct);
        if (!status.Ok) return status.Error!;
        if (status.Value!.FirstOrDefault(c => c.ClientId == id) is not { } client) return new NotFound("Client", clientId);
        var killed = await management.KillAsync(server, id, ct);
        await work.RecordAsync(new AuditEntry(actor, "vpn.client.kicked", $"vpn-server:{name}", new
        {
            clientId = id, commonName = client.CommonName, realAddress = client.RealAddress, error = killed.Error?.Detail,
        }, killed.Ok ? AuditOutcome.Success : AuditOutcome.Failure), CancellationToken.None);
        return killed.Ok ? client : killed.Error!;
    }
}
