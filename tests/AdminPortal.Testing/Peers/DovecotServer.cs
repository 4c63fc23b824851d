using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AdminPortal.Testing;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace AdminPortal.Tests.Peers;

/// <summary>
/// A private Dovecot IMAP server on a loopback port (PEERS.md): <c>dovecot -F -c CONF</c> with its own base_dir,
/// state_dir and log, plain logins without TLS, and one passwd-file (<see cref="PasswdFile"/>) as passdb and userdb,
/// re-read by Dovecot when it changes. Homes live under <see cref="HomeTemplate"/>. Stopped by PID (watchdog as the other peers).
/// </summary>
public sealed class DovecotServer : IAsyncDisposable
{
    private Process? _dovecot;

    private DovecotServer(string root, int port)
    {
        Root = root;
        Port = port;
    }

    public string Root { get; }
    public int Port { get; }
    public string PasswdFile => Path.Combine(Root, "users");
    /// <summary>The home template for the portal's mail host settings: %d and %n under this server's folder.</summary>
    public string HomeTemplate => Path.Combine(Root, "home", "%d", "%n");
    public string LogFile => Path.Combine(Root, "dovecot.log");

    public static async Task<DovecotServer> StartAsync()
    {
        if (!File.Exists("/usr/sbin/dovecot"))
            throw new InvalidOperationException("The mail tests need Dovecot: apt-get -o DPkg::Lock::Timeout=120 install -y dovecot-imapd");
        var root = Path.Combine(Path.GetTempPath(), "apdovecot-" + Guid.NewGuid().ToString("N")[..10]);
        foreach (var d in (string[])["base", "state", "home"]) Directory.CreateDirectory(Path.Combine(root, d));
        // Dovecot creates each home as the account's uid: the folder must let it.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(root, "home"), (UnixFileMode)0b111_111_111);
        Processes.StartWatchdog(root, $"[ -f '{root}/base/master.pid' ] && kill $(cat '{root}/base/master.pid')");
        var server = new DovecotServer(root, SshdServer.FreePort());
        await File.WriteAllTextAsync(server.PasswdFile, "");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(server.PasswdFile, (UnixFileMode)0b110_100_100);
        await File.WriteAllTextAsync(Path.Combine(root, "dovecot.conf"), $$"""
            base_dir = {{root}}/base
            state_dir = {{root}}/state
            log_path = {{server.LogFile}}
            listen = 127.0.0.1
            protocols = imap
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:~/Maildir
            passdb {
              driver = passwd-file
              args = username_format=%u {{server.PasswdFile}}
            }
            userdb {
              driver = passwd-file
              args = username_format=%u {{server.PasswdFile}}
            }
            service imap-login {
              inet_listener imap {
                port = {{server.Port}}
              }
              inet_listener imaps {
                port = 0
              }
            }

            """);
        var psi = new ProcessStartInfo("/usr/sbin/dovecot") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in (string[])["-F", "-c", Path.Combine(root, "dovecot.conf")]) psi.ArgumentList.Add(a);
        server._dovecot = Process.Start(psi)!;
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Waits (bounded) until the greeting no longer says the authentication process is starting.</summary>
    private async Task WaitReadyAsync()
    {
        for (var i = 0; i < 400; i++)
        {
            if (_dovecot!.HasExited) throw new InvalidOperationException($"dovecot exited ({_dovecot.ExitCode}):\n{Log()}");
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, Port);
                using var reader = new StreamReader(tcp.GetStream());
                var greeting = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
                if (greeting is not null && greeting.Contains("ready", StringComparison.Ordinal)) return;
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException) { }
            await Task.Delay(25);
        }
        throw new TimeoutException($"dovecot did not become ready on {Port}:\n{Log()}");
    }

    public string Log() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <summary>An IMAP LOGIN with this password: null when it worked, else the server's refusal.</summary>
    public async Task<string?> LoginErrorAsync(string user, string password)
    {
        using var imap = new ImapClient { Timeout = 10_000 };
        await imap.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
        try
        {
            await imap.AuthenticateAsync(user, password);
            await imap.DisconnectAsync(true);
            return null;
        }
        catch (AuthenticationException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Waits (bounded) until a login with this password succeeds (<paramref name="works"/>) or is refused, and returns
    /// the refusal (null when it works). Dovecot re-reads a changed passwd-file at most once a second, so a change made
    /// within the second of the previous lookup shows on the next second's.
    /// </summary>
    public async Task<string?> AwaitLoginAsync(string user, string password, bool works, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            string? error;
            try
            {
                error = await LoginErrorAsync(user, password);
            }
            catch (ImapProtocolException) when (DateTime.UtcNow < deadline)
            {
                // Dovecot closed this connection mid-login (seen once in CI while the passwd-file was being rewritten):
                // neither a success nor a refusal, so the login is tried again.
                await Task.Delay(100);
                continue;
            }
            if ((error is null) == works || DateTime.UtcNow > deadline) return error;
            await Task.Delay(100);
        }
    }

    /// <summary>Logs in and APPENDs a message to INBOX; returns the INBOX count afterwards.</summary>
    public async Task<int> AppendAsync(string user, string password, string subject)
    {
        using var imap = new ImapClient { Timeout = 10_000 };
        await imap.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
        await imap.AuthenticateAsync(user, password);
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = "Appended by the mail tests." } };
        message.From.Add(MailboxAddress.Parse("tests@example.test"));
        message.To.Add(MailboxAddress.Parse(user));
        await imap.Inbox.AppendAsync(new MailKit.AppendRequest(message));
        await imap.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
        var count = imap.Inbox.Count;
        await imap.DisconnectAsync(true);
        return count;
    }

    public ValueTask DisposeAsync()
    {
        if (_dovecot is not null)
        {
            Processes.Stop(_dovecot.Id);
            _dovecot.Dispose();
            _dovecot = null;
        }
        try { Directory.Delete(Root, true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
