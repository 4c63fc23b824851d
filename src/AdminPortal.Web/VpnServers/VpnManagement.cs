using System.Globalization;
using System.Text;
using AdminPortal.Data.Hosts;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.VpnServers;

/// <summary>A client connected to a VPN server, as its management interface reports it (<c>status 3</c>).</summary>
public sealed record VpnClient(string CommonName, string RealAddress, string VirtualAddress, long BytesReceived, long BytesSent,
    DateTimeOffset ConnectedSince, long ClientId);

/// <summary>The management interface could not be reached, or refused the command.</summary>
public sealed record ManagementFailure(string Server, string Message)
    : PortalError("VPN server management failed", $"{Server}: {Message}", StatusCodes.Status502BadGateway);

/// <summary>
/// OpenVPN's management interface (a unix socket on the server's host), reached through the host's SSH connection:
/// <c>socat</c> gets the commands on stdin and, once they are answered, <c>quit</c> (<c>Remote/Scripts/vpn/management.sh</c>). socat must be installed on the host.
/// </summary>
public sealed class VpnManagement(HostScriptRunner runner)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly string[] Signals = ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGTERM"];

    public static SshTarget? Target(ManagedHost host) => SshTarget.Of(host);

    /// <summary>Sends the commands (then <c>quit</c>) and returns everything the interface answered.</summary>
    public async Task<Result<string>> SendAsync(VpnServer server, IReadOnlyList<string> commands, CancellationToken ct)
    {
        var host = server.Host ?? throw new ArgumentException("Load the server with its host.", nameof(server));
        if (Target(host) is not { } target) return new HostNotTrusted(host.Name);
        if (commands.Any(c => c.Any(char.IsControl))) throw new ArgumentException("A management command is one line.", nameof(commands));
        var stdin = Encoding.UTF8.GetBytes(string.Concat(commands.Select(c => c + "\n")));
        var result = await runner.RunAsync(target, PublishScripts.Management,
            [server.ManagementSocket, commands.Count.ToString(CultureInfo.InvariantCulture)], stdin, ct, Timeout);
        if (result.Outcome.Error is { } error) return error;
        if (result.Outcome.ExitCode != 0)
            return new ManagementFailure(server.Name, result.Stderr.Length > 0 ? result.Stderr : result.Outcome.Message ?? "the management interface did not answer");
        return result.Text;
    }

    public async Task<Result<IReadOnlyList<VpnClient>>> StatusAsync(VpnServer server, CancellationToken ct)
    {
        var answer = await SendAsync(server, ["status 3"], ct);
        if (!answer.Ok) return answer.Error!;
        if (!answer.Value!.Contains("\nEND", StringComparison.Ordinal) && !answer.Value.StartsWith("END", StringComparison.Ordinal))
            return new ManagementFailure(server.Name, "the status answer was incomplete");
        return new Result<IReadOnlyList<VpnClient>>(ParseStatus(answer.Value), null);
    }

    /// <summary><c>client-kill ID HALT</c>: the client is told to exit, not to reconnect.</summary>
    public async Task<Result<string>> KillAsync(VpnServer server, long clientId, CancellationToken ct) =>
        Checked(server, await SendAsync(server, [$"client-kill {clientId.ToString(CultureInfo.InvariantCulture)} HALT"], ct));

    public async Task<Result<string>> SignalAsync(VpnServer server, string signal, CancellationToken ct)
    {
        if (!Signals.Contains(signal)) return new InvalidInput("signal", $"signal must be one of {string.Join(", ", Signals)}.");
        return Checked(server, await SendAsync(server, [$"signal {signal}"], ct));
    }

    /// <summary>The SUCCESS line of a one-command answer, or its ERROR as a failure.</summary>
    private static Result<string> Checked(VpnServer server, Result<string> answer)
    {
        if (!answer.Ok) return answer;
        var lines = answer.Value!.Split('\n', StringSplitOptions.TrimEntries);
        if (lines.FirstOrDefault(l => l.StartsWith("SUCCESS:", StringComparison.Ordinal)) is { } ok) return ok;
        return new ManagementFailure(server.Name, lines.FirstOrDefault(l => l.StartsWith("ERROR:", StringComparison.Ordinal)) ?? "no answer to the command");
    }

    /// <summary>The CLIENT_LIST rows of a <c>status 3</c> answer (tab-separated; columns found by the HEADER row's names).</summary>
    public static IReadOnlyList<VpnClient> ParseStatus(string answer)
    {
        var lines = answer.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines.FirstOrDefault(l => l.StartsWith("HEADER\tCLIENT_LIST\t", StringComparison.Ordinal))?.Split('\t')[1..];
        if (header is null) return [];
        int Col(string name) => Array.IndexOf(header, name);
        var (cn, real, virt, rx, tx, since, id) = (Col("Common Name"), Col("Real Address"), Col("Virtual Address"), Col("Bytes Received"),
            Col("Bytes Sent"), Col("Connected Since (time_t)"), Col("Client ID"));
        var clients = new List<VpnClient>();
        foreach (var row in lines.Where(l => l.StartsWith("CLIENT_LIST\t", StringComparison.Ordinal)).Select(l => l.Split('\t')))
        {
            string At(int i) => i >= 0 && i < row.Length ? row[i] : "";
            long Num(int i) => long.TryParse(At(i), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            clients.Add(new VpnClient(At(cn), At(real), At(virt), Num(rx), Num(tx), DateTimeOffset.FromUnixTimeSeconds(Num(since)), Num(id)));
        }
        return clients;
    }
}
