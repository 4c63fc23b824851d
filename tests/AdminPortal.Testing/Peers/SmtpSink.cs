using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AdminPortal.Testing;
using MimeKit;

namespace AdminPortal.Tests.Peers;

/// <summary>
/// Postfix's smtp-sink on a loopback port of its own, writing one file per message (the full MIME text) to
/// <see cref="MailDirectory"/>. It can be stopped and started again on the same port, with fault switches:
/// <c>-r CMD</c> answers CMD with a 4xx, <c>-f CMD</c> with a 5xx. Stopped by its PID; a watchdog kills it if the
/// test host dies first. The binary comes from <c>.ci/smtp-sink</c> (extracted from the postfix package, cached).
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _binary;
    private Process? _process;

    public int Port { get; }
    public string MailDirectory => Path.Combine(_root, "mail");
    public bool Running => _process is { } p && Processes.IsAlive(p.Id);

    private SmtpSink(string root, string binary, int port) => (_root, _binary, Port) = (root, binary, port);

    /// <summary>A sink with a reserved port, not yet listening (for "the server is down" first).</summary>
    public static async Task<SmtpSink> CreateAsync()
    {
        var binary = await BinaryAsync();
        var root = Path.Combine(Path.GetTempPath(), $"ap-smtp-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(Path.Combine(root, "mail"));
        // smtp-sink drops to "nobody" before it writes the messages.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(root, "mail"), (UnixFileMode)0b111_111_111);
        Processes.StartWatchdog(root, $"[ -f '{root}/pid' ] && kill -KILL $(cat '{root}/pid')");
        return new SmtpSink(root, binary, FreePort());
    }

    public static async Task<SmtpSink> StartAsync(params string[] faults)
    {
        var sink = await CreateAsync();
        await sink.StartAgainAsync(faults);
        return sink;
    }

    /// <summary>(Re)starts on the same port with these fault switches, and waits until it accepts connections.</summary>
    public async Task StartAgainAsync(params string[] faults)
    {
        Stop();
        var psi = new ProcessStartInfo(_binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment["LD_LIBRARY_PATH"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(_binary)!, "..", "lib", "postfix"));
        string[] user = Environment.UserName == "root" ? ["-u", "nobody"] : [];
        foreach (var a in (string[])[.. user, "-d", Path.Combine(MailDirectory, "%Y%m%d%H%M%S."), .. faults, $"127.0.0.1:{Port}", "50"])
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await File.WriteAllTextAsync(Path.Combine(_root, "pid"), _process.Id.ToString());
        for (var i = 0; i < 100; i++)
        {
            if (!Running) throw new InvalidOperationException($"smtp-sink exited at start (code {_process.ExitCode})");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"smtp-sink did not listen on {Port}");
    }

    public void Stop()
    {
        if (_process is null) return;
        Processes.Stop(_process.Id);
        _process.Dispose();
        _process = null;
        File.Delete(Path.Combine(_root, "pid"));
    }

    /// <summary>The messages received so far, parsed.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var list = new List<MimeMessage>();
        foreach (var file in Directory.GetFiles(MailDirectory).Order())
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                list.Add(MimeMessage.Load(stream));
            }
            catch (FormatException)
            {
                // still being written
            }
        }
        return list;
    }

    /// <summary>Waits (bounded: <see cref="Eventually.DefaultWithin"/> unless given) for a message to <paramref name="to"/> whose text contains <paramref name="text"/>.</summary>
    public async Task<MimeMessage> WaitForAsync(string to, string text = "", int? timeoutSeconds = null)
    {
        var seen = await Eventually.Async(() =>
            {
                var all = Messages();
                return (Count: all.Count, Found: all.FirstOrDefault(m => m.To.Mailboxes.Any(b => b.Address == to) && (m.TextBody ?? "").Contains(text, StringComparison.Ordinal)));
            },
            s => s.Found is not null, $"an email to {to} containing \"{text}\" at the sink (seen: the number of messages there)",
            timeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
        return seen.Found!;
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static async Task<string> BinaryAsync()
    {
        var script = Path.Combine(AdminPortal.Tests.Infrastructure.Repo.Root, ".ci", "smtp-sink");
        var path = (await Proc.CheckedAsync("bash", [script], timeout: TimeSpan.FromMinutes(3))).Trim();
        return File.Exists(path) ? path : throw new InvalidOperationException($"smtp-sink not found at {path}");
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        try { Directory.Delete(_root, true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
