using System.Text;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.VpnServers;

/// <summary>One file: <c>new</c> (not deployed), <c>changed</c> or <c>unchanged</c>; secret files carry no diff, only SHA-256 prefixes.</summary>
public sealed record FileDiff(string Name, string Status, bool Secret, string? DeployedSha256, string NewSha256, string? Diff);

public sealed record ServerDiff(string Server, IReadOnlyList<FileDiff> Files)
{
    public bool Changed => Files.Any(f => f.Status != "unchanged");
}

/// <summary>A command on the VPN host failed (other than the SSH connection itself).</summary>
public sealed record VpnHostFailure(string Server, string Message)
    : PortalError("VPN host command failed", $"{Server}: {Message}", StatusCodes.Status502BadGateway);

/// <summary>What a publish would change: the deployed files fetched over SSH (secret ones only hashed on the host) against the rendered ones.</summary>
public sealed class VpnServerDiff(VpnServerService servers, ServerFiles files, HostScriptRunner runner)
{
    public const int ShaPrefix = 16;

    public async Task<Result<ServerDiff>> DiffAsync(string name, CancellationToken ct)
    {
        var server = await servers.LoadAsync(name, ct);
        if (server is null) return new NotFound("VPN server", name);
        if (VpnManagement.Target(server.Host!) is not { } target) return new HostNotTrusted(server.Host!.Name);
        var rendered = await files.RenderAsync(server, ct);
        var fetched = await runner.RunAsync(target, PublishScripts.Fetch, [server.ConfigDir], null, ct);
        if (fetched.Outcome.Error is { } error) return error;
        if (fetched.Outcome.ExitCode != 0) return new VpnHostFailure(name, fetched.Stderr is { Length: > 0 } e ? e : fetched.Outcome.Message ?? "failed");
        var deployed = Parse(fetched.Text);
        return new ServerDiff(name, rendered.Select(f => Compare(f, deployed.GetValueOrDefault(f.Name))).ToList());
    }

    private static FileDiff Compare(ServerFile f, Deployed? d)
    {
        var newSha = f.Sha256[..ShaPrefix];
        if (d is null) return new FileDiff(f.Name, "new", f.Secret, null, newSha, f.Secret ? null : UnifiedDiff.Of("", f.Text, "/dev/null", f.Name));
        var deployedSha = (d.Sha256 ?? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(d.Content!)))[..ShaPrefix];
        var status = d.Sha256 is not null ? (d.Sha256 == f.Sha256 ? "unchanged" : "changed") : d.Content!.AsSpan().SequenceEqual(f.Content) ? "unchanged" : "changed";
        var diff = f.Secret || status == "unchanged" ? null : UnifiedDiff.Of(Encoding.UTF8.GetString(d.Content!), f.Text, $"deployed/{f.Name}", $"new/{f.Name}");
        return new FileDiff(f.Name, status, f.Secret, deployedSha, newSha, diff);
    }

    private sealed record Deployed(byte[]? Content, string? Sha256);

    private static Dictionary<string, Deployed> Parse(string text)
    {
        var result = new Dictionary<string, Deployed>(StringComparer.Ordinal);
        foreach (var parts in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')))
        {
            if (parts is ["FILE", var name, var b64]) result[name] = new Deployed(Convert.FromBase64String(b64), null);
            else if (parts is ["FILE", var empty]) result[empty] = new Deployed([], null);
            else if (parts is ["HASH", var secret, var sha]) result[secret] = new Deployed(null, sha);
        }
        return result;
    }
}
