using System.Diagnostics;
using AdminPortal.Testing;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Hosts;

/// <summary>
/// A second, unprivileged account on the host (<see cref="SshdServer.TestUser"/>) attacking a folder it can write while
/// the portal writes files there as root: in a tight loop it opens every file it sees (and keeps it open, to read it
/// again at the end) and replaces every file it did not make with a symlink to <see cref="Canary"/>, a root-owned file
/// outside that folder. Before it starts it can plant symlinks at names it predicts, some pointing at
/// <see cref="Created"/>, a path that does not exist (a root write through it creates a file anywhere).
/// The test then checks that the canary is untouched, <see cref="Created"/> was never made, and nothing the attacker
/// read holds a secret. Runs as a perl process under <c>setpriv</c>, stopped by its PID.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SymlinkAttacker : IAsyncDisposable
{
    private const string CanaryText = "canary: root's own file, never to be touched\n";
    private readonly Process _process;

    private SymlinkAttacker(string root, Process process)
    {
        Root = root;
        _process = process;
    }

    /// <summary>A root-owned 0755 folder holding the canary, the attacker's own folder and the attacked folders.</summary>
    public string Root { get; }
    public string Canary => System.IO.Path.Combine(Root, "canary");
    public string Created => System.IO.Path.Combine(Root, "created-by-root");
    private string Log => System.IO.Path.Combine(Root, "attacker", "log");
    private string Stop => System.IO.Path.Combine(Root, "stop");

    /// <summary>A new folder under <see cref="Root"/> that the attacker owns (mode 0777: any login user can write into it too).</summary>
    public static async Task<string> OwnedFolderAsync(string root, string name)
    {
        var dir = System.IO.Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        await Proc.CheckedAsync("chown", [$"{SshdServer.TestUser}:{SshdServer.TestUser}", dir]);
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        return dir;
    }

    /// <summary>A fresh root folder with the canary (root:root 0600) and the attacker's log folder.</summary>
    public static async Task<string> PrepareRootAsync()
    {
        var root = System.IO.Path.Combine("/tmp", "ap-attack-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(System.IO.Path.Combine(root, "canary"), CanaryText);
        File.SetUnixFileMode(System.IO.Path.Combine(root, "canary"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var own = System.IO.Path.Combine(root, "attacker");
        Directory.CreateDirectory(own);
        await Proc.CheckedAsync("chown", [$"{SshdServer.TestUser}:{SshdServer.TestUser}", own]);
        File.SetUnixFileMode(own, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return root;
    }

    /// <summary>
    /// Starts the attack on <paramref name="folders"/> (under <paramref name="root"/>) once it is running. Each name in
    /// <paramref name="plantCanary"/> gets a symlink to the canary and each in <paramref name="plantCreate"/> one to
    /// <see cref="Created"/> before the loop starts (both relative to the first folder); names in <paramref name="leaveAlone"/>
    /// (in any attacked folder) are not touched.
    /// </summary>
    public static async Task<SymlinkAttacker> StartAsync(string root, IReadOnlyList<string> folders,
        IEnumerable<string>? plantCanary = null, IEnumerable<string>? plantCreate = null, IEnumerable<string>? leaveAlone = null)
    {
        var plans = System.IO.Path.Combine(root, "attacker", "plants");
        await File.WriteAllLinesAsync(plans, (plantCanary ?? []).Select(n => "c " + n).Concat((plantCreate ?? []).Select(n => "n " + n))
            .Concat((leaveAlone ?? []).Select(n => "i " + n)));
        var psi = new ProcessStartInfo("setpriv") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in (string[])["--reuid", SshdServer.TestUser, "--regid", SshdServer.TestUser, "--init-groups", "--",
                     "perl", "-e", Script, System.IO.Path.Combine(root, "canary"), System.IO.Path.Combine(root, "created-by-root"),
                     System.IO.Path.Combine(root, "stop"), System.IO.Path.Combine(root, "attacker", "log"), plans, .. folders])
            psi.ArgumentList.Add(a);
        var attacker = new SymlinkAttacker(root, Process.Start(psi)!);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!attacker.LogText().Contains("ready\n", StringComparison.Ordinal))
        {
            if (attacker._process.HasExited) throw new InvalidOperationException($"the attacker exited ({attacker._process.ExitCode}): {attacker.LogText()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the attacker did not start");
            await Task.Delay(20);
        }
        return attacker;
    }

    private string LogText()
    {
        try { return File.ReadAllText(Log); }
        catch (IOException) { return ""; }
    }

    /// <summary>Ends the attack (it reads every file it still holds open) and returns its log.</summary>
    public async Task<string> FinishAsync()
    {
        await File.WriteAllTextAsync(Stop, "");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return LogText();
    }

    /// <summary>How many symlinks the attacker planted (so a test knows the attack really ran).</summary>
    public static int Planted(string log) => log.Split('\n').Count(l => l.StartsWith("planted ", StringComparison.Ordinal));

    /// <summary>The canary's owner, mode and content: must stay "root:root 600" and its text.</summary>
    public async Task<string> CanaryStateAsync() =>
        (await Proc.CheckedAsync("stat", ["-c", "%U:%G %a", Canary])).Trim() + " " + await File.ReadAllTextAsync(Canary);

    public static string UntouchedCanary => "root:root 600 " + CanaryText;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) Processes.Stop(_process.Id);
        _process.Dispose();
        try { Directory.Delete(Root, true); } catch (IOException) { }
        await Task.CompletedTask;
    }

    /// <summary>The attack loop (perl: fast enough to win races of a millisecond). Args: canary, created, stop, log, plants, folders.</summary>
    private const string Script = """
        use strict; use warnings;
        my ($canary, $created, $stop, $log, $plans, @dirs) = @ARGV;
        open(my $L, '>>', $log) or die "log: $!"; select((select($L), $| = 1)[0]);
        my %ignore; my $pre = 0;
        if (open(my $P, '<', $plans)) {
            while (my $line = <$P>) {
                chomp $line; my ($kind, $name) = split / /, $line, 2; next unless defined $name;
                if ($kind eq 'i') { $ignore{$name} = 1; next; }
                symlink($kind eq 'c' ? $canary : $created, "$dirs[0]/$name") and $pre++;
            }
        }
        print $L "pre-planted $pre\n";
        my %held;
        sub grab {
            my ($path) = @_;
            return if $held{$path};
            if (open(my $fh, '<', $path)) {
                $held{$path} = $fh; local $/; my $c = <$fh>; $c = '' unless defined $c;
                print $L "opened $path: $c\n";
            }
        }
        sub plant {
            my ($path) = @_;
            if (unlink $path) { symlink($canary, $path) and print $L "planted $path\n"; }
        }
        sub attack {
            my ($dir, $depth) = @_;
            opendir(my $d, $dir) or return;
            for my $n (readdir $d) {
                next if $n eq '.' || $n eq '..' || $ignore{$n};
                my $p = "$dir/$n";
                next if -l $p;
                if (-f _) { grab($p); plant($p); }
                elsif (-d _ && $depth == 0) { attack($p, 1); }
            }
            closedir $d;
        }
        print $L "ready\n";
        until (-e $stop) { attack($_, 0) for @dirs; }
        for my $p (sort keys %held) {
            my $fh = $held{$p}; seek($fh, 0, 0); local $/; my $c = <$fh>; $c = '' unless defined $c;
            print $L "finally read $p: $c\n";
        }
        print $L "done\n";
        """;
}
