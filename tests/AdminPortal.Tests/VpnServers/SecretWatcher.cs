using System.Diagnostics;
using System.Runtime.Versioning;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.VpnServers;

/// <summary>
/// Another account on a VPN host: <see cref="SshdServer.TestUser"/> (unprivileged) walks a folder in a tight loop (perl, no
/// fork per file) and opens every file it can, recording each one whose bytes hold key material ("PRIVATE KEY", an OpenVPN
/// static key) and the public ca.pem (proof that it was looking). Stopped by its PID.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SecretWatcher : IAsyncDisposable
{
    private const string Loop = """
        use strict; use warnings;
        my ($dir, $out, $stop) = @ARGV;
        open(my $o, '>>', $out) or die "cannot write $out: $!";
        $o->autoflush(1);
        my %seen; my $rounds = 0;
        until (-e $stop) {
          $rounds++;
          my @todo = ($dir);
          while (defined(my $d = shift @todo)) {
            opendir(my $dh, $d) or next;
            for my $e (readdir $dh) {
              next if $e eq '.' || $e eq '..';
              my $p = "$d/$e";
              if (-d $p && !-l $p) { push @todo, $p; next; }
              open(my $fh, '<', $p) or next;
              local $/; my $c = <$fh>; close $fh;
              next unless defined $c;
              if ($c =~ /PRIVATE KEY|OpenVPN Static key/) { print $o "SECRET $p\n" unless $seen{"s$p"}++; }
              elsif ($e eq 'ca.pem') { print $o "PUBLIC $p\n" unless $seen{"p$p"}++; }
            }
            closedir $dh;
          }
          select(undef, undef, undef, 0.0005);
        }
        print $o "ROUNDS $rounds\n";
        """;

    private readonly Process _process;
    private readonly string _root;

    private SecretWatcher(Process process, string root)
    {
        _process = process;
        _root = root;
    }

    private string Out => Path.Combine(_root, "seen");
    private string Stop => Path.Combine(_root, "stop");

    /// <summary>Starts watching <paramref name="dir"/> (which need not exist yet) as <see cref="SshdServer.TestUser"/>.</summary>
    public static SecretWatcher Start(string dir)
    {
        var root = Directory.CreateTempSubdirectory("ap-watch-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111);
        File.WriteAllText(Path.Combine(root, "seen"), "");
        File.SetUnixFileMode(Path.Combine(root, "seen"), (UnixFileMode)0b110_110_110);
        var psi = new ProcessStartInfo("setpriv") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in (string[])["--reuid", SshdServer.TestUser, "--regid", SshdServer.TestUser, "--clear-groups", "--", "perl", "-e", Loop, dir,
                     Path.Combine(root, "seen"), Path.Combine(root, "stop")])
            psi.ArgumentList.Add(a);
        return new SecretWatcher(Process.Start(psi)!, root);
    }

    /// <summary>Every line the watcher wrote so far ("SECRET path", "PUBLIC path").</summary>
    public IReadOnlyList<string> Seen() => File.ReadAllLines(Out);

    /// <summary>The files with key material it could open.</summary>
    public IReadOnlyList<string> Secrets() => [.. Seen().Where(l => l.StartsWith("SECRET ", StringComparison.Ordinal)).Select(l => l[7..])];

    /// <summary>Asks the loop to stop and waits (bounded) for its last line; then the process is gone.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        File.WriteAllText(Stop, "");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { Proc.Kill(_process); }
        return Seen();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await StopAsync();
        _process.Dispose();
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
