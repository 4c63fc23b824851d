using System.Net.Sockets;
using System.Text;

namespace AdminPortal.Tests.Peers;

/// <summary>One command over OpenVPN's management unix socket (it serves one client at a time).</summary>
internal static class OpenVpnManagement
{
    public static async Task<string> SendAsync(string socketPath, string command, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };

        await ReadLineAsync(reader, ct); // ">INFO:OpenVPN Management Interface Version ..."
        await writer.WriteLineAsync(command.AsMemory(), ct);
        var response = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync(reader, ct);
            if (line.StartsWith('>')) continue; // real-time notification, not part of the answer
            response.Append(line).Append('\n');
            if (line == "END" || line.StartsWith("SUCCESS:", StringComparison.Ordinal) || line.StartsWith("ERROR:", StringComparison.Ordinal))
                break;
        }
        await writer.WriteLineAsync("quit".AsMemory(), ct);
        return response.ToString();
    }

    private static async Task<string> ReadLineAsync(StreamReader reader, CancellationToken ct) =>
        await reader.ReadLineAsync(ct) ?? throw new IOException("The management interface closed the connection.");
}
